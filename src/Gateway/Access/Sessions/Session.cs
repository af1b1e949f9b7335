using System.Buffers.Binary;
using System.Security.Cryptography;
using Gateway.Access.Lists;

namespace Gateway.Access.Sessions;

/// <summary>
/// A redeemed KAT: bound to the client IP that redeemed it and to one access list, with an absolute and an idle
/// expiry. Everything but <see cref="LastSeenTicks"/> is fixed; touching a session is one atomic store, no allocation.
/// </summary>
internal sealed class Session(
    SessionId id, string listName, string? user, IpKey boundIp, DateTimeOffset createdAt, DateTimeOffset expiresAt, TimeSpan idleTimeout)
{
    private long _lastSeenTicks = createdAt.UtcTicks;

    public SessionId Id { get; } = id;

    public string ListName { get; } = listName;

    public string? User { get; } = user;

    public IpKey BoundIp { get; } = boundIp;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public TimeSpan IdleTimeout { get; } = idleTimeout;

    public long LastSeenTicks => Volatile.Read(ref _lastSeenTicks);

    public DateTimeOffset LastSeen => new(LastSeenTicks, TimeSpan.Zero);

    /// <summary>Live at <paramref name="nowTicks"/>: before the absolute expiry and within the idle timeout.</summary>
    public bool IsLiveAt(long nowTicks) =>
        nowTicks < ExpiresAt.UtcTicks && nowTicks - LastSeenTicks < IdleTimeout.Ticks;

    public void Touch(long nowTicks)
    {
        // Only move forward; skip the store when nothing would change within a second (keeps the cache line quiet).
        if (nowTicks - Volatile.Read(ref _lastSeenTicks) > TimeSpan.TicksPerSecond)
        {
            Volatile.Write(ref _lastSeenTicks, nowTicks);
        }
    }

    /// <summary>Restores the last activity a store remembered.</summary>
    public void RestoreLastSeen(long ticks) => Volatile.Write(ref _lastSeenTicks, Math.Max(ticks, _lastSeenTicks));
}

/// <summary>128 random bits naming a session; the cookie carries it encrypted.</summary>
internal readonly record struct SessionId(ulong Hi, ulong Lo)
{
    public static SessionId New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return FromBytes(bytes);
    }

    public static SessionId FromBytes(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Lo);
    }

    public static bool TryParse(string text, out SessionId id)
    {
        id = default;
        if (text.Length != 32)
        {
            return false;
        }

        try
        {
            id = FromBytes(Convert.FromHexString(text));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}

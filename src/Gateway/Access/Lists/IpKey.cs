using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Access.Lists;

/// <summary>
/// An IP address as 128 bits, IPv4 kept as IPv4-mapped IPv6 (::ffff:a.b.c.d) so that both families share one key
/// space and a mapped address equals its IPv4 form. Built without allocating.
/// </summary>
internal readonly record struct IpKey(ulong Hi, ulong Lo)
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000UL;

    /// <summary>IPv4 prefix lengths are stored 96 higher, as they apply to the mapped form.</summary>
    public const int V4Offset = 96;

    public bool IsV4 => Hi == 0 && (Lo & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    public static IpKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return new IpKey(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(v4));
        }

        address.TryWriteBytes(bytes, out _);
        return new IpKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Keeps the first <paramref name="length"/> bits (0-128) and clears the rest.</summary>
    public IpKey Mask(int length) => length switch
    {
        >= 128 => this,
        > 64 => new IpKey(Hi, Lo & (ulong.MaxValue << (128 - length))),
        64 => new IpKey(Hi, 0),
        > 0 => new IpKey(Hi & (ulong.MaxValue << (64 - length)), 0),
        _ => default,
    };

    public IPAddress ToAddress()
    {
        if (IsV4)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Lo);
            return new IPAddress(v4);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Lo);
        return new IPAddress(bytes);
    }

    public override string ToString() => ToAddress().ToString();
}

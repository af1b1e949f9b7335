using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Memory;

namespace Gateway.Access.Sessions;

internal enum CookieStatus
{
    Absent,
    Invalid,
    Valid,
}

/// <summary>What a request's session cookie says: nothing, garbage, or a session id for a list.</summary>
internal readonly record struct CookieResult(CookieStatus Status, SessionId SessionId, string? ListName)
{
    public static readonly CookieResult Absent = new(CookieStatus.Absent, default, null);
    public static readonly CookieResult Invalid = new(CookieStatus.Invalid, default, null);
}

/// <summary>
/// Session cookies: the session id and list, sealed with ASP.NET Core Data Protection (authenticated encryption; the
/// key ring lives in the state directory, or the shared store). Decrypting is the expensive part, so a cookie seen
/// once is remembered (bounded in count and time) and looked up without allocating.
/// </summary>
internal sealed class SessionCookies : IDisposable
{
    private const byte Version = 1;
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);
    private readonly IDataProtector _protector;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public SessionCookies(IDataProtectionProvider provider) => _protector = provider.CreateProtector("Gateway.Session.v1");

    /// <summary>The cookie name for a list: host-only and <c>__Host-</c> prefixed on https.</summary>
    public static string Name(string prefix, string list, bool https) => (https ? "__Host-" : string.Empty) + prefix + "_" + list;

    public string Seal(Session session)
    {
        var list = Encoding.UTF8.GetBytes(session.ListName);
        var payload = new byte[1 + 16 + list.Length];
        payload[0] = Version;
        session.Id.WriteTo(payload.AsSpan(1));
        list.CopyTo(payload, 17);
        return Base64Url.EncodeToString(_protector.Protect(payload));
    }

    public CookieResult Read(HttpRequest request, string name)
    {
        if (!TryFind(request.Headers.Cookie, name, out var value))
        {
            return CookieResult.Absent;
        }

        if (_cache.TryGetValue(value, out var cached) && cached is Ticket ticket)
        {
            return new CookieResult(CookieStatus.Valid, ticket.Id, ticket.List);
        }

        return Open(value);
    }

    public void Dispose() => _cache.Dispose();

    private CookieResult Open(ReadOnlySpan<char> value)
    {
        try
        {
            var payload = _protector.Unprotect(Base64Url.DecodeFromChars(value));
            if (payload.Length < 17 || payload[0] != Version)
            {
                return CookieResult.Invalid;
            }

            var ticket = new Ticket(SessionId.FromBytes(payload.AsSpan(1, 16)), Encoding.UTF8.GetString(payload.AsSpan(17)));
            using (var entry = _cache.CreateEntry(value.ToString()))
            {
                entry.Value = ticket;
                entry.Size = 1;
                entry.AbsoluteExpirationRelativeToNow = CacheFor;
            }

            return new CookieResult(CookieStatus.Valid, ticket.Id, ticket.List);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return CookieResult.Invalid;
        }
    }

    /// <summary>Finds <c>name=value</c> in the Cookie header(s) without allocating.</summary>
    internal static bool TryFind(Microsoft.Extensions.Primitives.StringValues headers, string name, out ReadOnlySpan<char> value)
    {
        for (var h = 0; h < headers.Count; h++)
        {
            var rest = (headers[h] ?? string.Empty).AsSpan();
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var pair = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? [] : rest[(end + 1)..];
                var equals = pair.IndexOf('=');
                if (equals > 0 && pair[..equals].Trim().SequenceEqual(name))
                {
                    value = pair[(equals + 1)..].Trim().Trim('"');
                    return !value.IsEmpty;
                }
            }
        }

        value = default;
        return false;
    }

    private sealed record Ticket(SessionId Id, string List);
}

using System.Net;
using Gateway.Access.Lists;

namespace Gateway.Access.Tokens;

/// <summary>
/// A Knocknoc-style access token not yet redeemed: single use, short-lived, optionally bound to the IP that may
/// redeem it, and carrying a user name. <see cref="DisplayKey"/> is the token as issued when this process saw it
/// (for <c>show map</c>), or its hash after a restart.
/// </summary>
internal sealed record Kat(
    long Id,
    TokenHash Hash,
    string DisplayKey,
    string Value,
    string? User,
    IpKey? BoundIp,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// Reads the map value an agent sent with <c>add map #id TOKEN VALUE</c>: any text is accepted, as HAProxy does;
    /// <c>user=NAME</c>, <c>ip=ADDRESS</c> and <c>ttl=SECONDS</c> fields (comma separated) are understood, and a bare
    /// first field is the user name.
    /// </summary>
    public static (string? User, IpKey? Ip, TimeSpan? Ttl) ParseValue(string value)
    {
        string? user = null;
        IpKey? ip = null;
        TimeSpan? ttl = null;
        var fields = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (i == 0)
                {
                    user = field;
                }

                continue;
            }

            var name = field[..equals];
            var text = field[(equals + 1)..];
            if (name.Equals("user", StringComparison.OrdinalIgnoreCase))
            {
                user = text;
            }
            else if (name.Equals("ip", StringComparison.OrdinalIgnoreCase) && IPAddress.TryParse(text, out var address))
            {
                ip = IpKey.From(address);
            }
            else if (name.Equals("ttl", StringComparison.OrdinalIgnoreCase) && int.TryParse(text, out var seconds) && seconds > 0)
            {
                ttl = TimeSpan.FromSeconds(seconds);
            }
        }

        return (string.IsNullOrEmpty(user) ? null : user, ip, ttl);
    }
}

using System.Net;
using System.Net.Sockets;
using Gateway.Access.Lists;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// Which entry of a list matches an address, as HAProxy's <c>get acl</c> reports it: longest prefix first, IPv4
/// patterns for an IPv4 address (then IPv6 ones against its mapped form), IPv6 patterns for an IPv6 address (then IPv4
/// ones for a mapped address); among equal prefixes the first added. Expired entries never match.
/// </summary>
internal static class AclLookup
{
    public static ListEntry? Find(IEnumerable<ListEntry> entries, IPAddress address, DateTimeOffset now)
    {
        var key = IpKey.From(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Best(entries, key, v4Patterns: true, now) ?? Best(entries, key, v4Patterns: false, now);
        }

        var match = Best(entries, key, v4Patterns: false, now);
        return match is null && address.IsIPv4MappedToIPv6 ? Best(entries, key, v4Patterns: true, now) : match;
    }

    private static ListEntry? Best(IEnumerable<ListEntry> entries, IpKey key, bool v4Patterns, DateTimeOffset now)
    {
        ListEntry? best = null;
        foreach (var entry in entries)
        {
            if (IsV4Pattern(entry.Pattern) == v4Patterns && entry.IsLiveAt(now) && entry.Parsed.Matches(key) &&
                (best is null || entry.Parsed.Length > best.Parsed.Length))
            {
                best = entry;
            }
        }

        return best;
    }

    private static bool IsV4Pattern(string pattern) => !pattern.Contains(':', StringComparison.Ordinal);
}

using System.Net;
using Gateway.Access.Lists;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// Address patterns as HAProxy's <c>src</c> ACLs accept them at run time (its <c>pat_parse_ip</c>): an IPv4 address in
/// strict dotted form (four decimal parts, no leading zeros) with an optional <c>/len</c> or <c>/a.b.c.d</c> mask, or an
/// IPv6 address with an optional <c>/len</c>; no host names, zone ids or brackets. Gateway then needs the pattern to be
/// a prefix: a non-contiguous netmask (which HAProxy keeps in a slow list) is refused.
/// </summary>
internal static class AddressSyntax
{
    public static bool TryParsePattern(string text, out IpPattern pattern)
    {
        pattern = default;
        var slash = text.LastIndexOf('/');
        var address = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        var mask = slash < 0 ? default : text.AsSpan(slash + 1);
        bool valid;
        if (IsStrictIPv4(address))
        {
            valid = slash < 0 || (mask.Contains('.') ? IsStrictIPv4(mask) : IsLength(mask, 32));
        }
        else
        {
            valid = IsIPv6(address) && (slash < 0 || IsLength(mask, 128));
        }

        return valid && IpPattern.TryParse(text, out pattern);
    }

    /// <summary>A sample to look up (<c>get acl</c>): an IPv4 or IPv6 address, strictly written.</summary>
    public static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        return (IsStrictIPv4(text) || IsIPv6(text)) && IPAddress.TryParse(text, out address!);
    }

    /// <summary>glibc's <c>inet_pton(AF_INET)</c>: exactly four decimal parts 0-255, no leading zeros.</summary>
    public static bool IsStrictIPv4(ReadOnlySpan<char> text)
    {
        var parts = 0;
        while (true)
        {
            var end = text.IndexOf('.');
            var part = end < 0 ? text : text[..end];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            if (value > 255 || ++parts > 4)
            {
                return false;
            }

            if (end < 0)
            {
                return parts == 4;
            }

            text = text[(end + 1)..];
        }
    }

    private static bool IsIPv6(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.ContainsAnyExcept("0123456789abcdefABCDEF:.") || !text.Contains(':'))
        {
            return false;
        }

        // An embedded IPv4 address (::ffff:192.0.2.1) is written as strictly as a plain one.
        var lastColon = text.LastIndexOf(':');
        if (text[lastColon..].Contains('.') && !IsStrictIPv4(text[(lastColon + 1)..]))
        {
            return false;
        }

        return IPAddress.TryParse(text, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
    }

    private static bool IsLength(ReadOnlySpan<char> text, int max)
    {
        if (text.IsEmpty || text.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var value = 0;
        foreach (var c in text)
        {
            value = Math.Min(1000, (value * 10) + (c - '0'));
        }

        return value <= max;
    }
}

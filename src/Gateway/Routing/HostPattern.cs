using System.Net;

namespace Gateway.Routing;

/// <summary>
/// Host names as routes accept them: <c>app.example.com</c>, <c>app.example.com:8443</c>, or a wildcard that is the
/// whole first label, <c>*.kube.example.com</c> (any subdomain, as HAProxy's <c>hdr_end(host)</c> is used for).
/// </summary>
internal static class HostPattern
{
    /// <summary>Returns null when valid, else what is wrong.</summary>
    public static string? Check(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return "is empty; remove it, or leave Hosts empty to match every host.";
        }

        if (host == "*")
        {
            return "'*' alone is not a host; leave Hosts empty to match every host.";
        }

        var name = host;
        var colon = host.LastIndexOf(':');
        var bracketed = host.StartsWith('[');
        if (colon > 0 && !host.EndsWith(']') && (bracketed ? host[colon - 1] == ']' : host.IndexOf(':') == colon))
        {
            if (!ushort.TryParse(host.AsSpan(colon + 1), out var port) || port == 0)
            {
                return $"'{host}' has an invalid port; write host or host:port.";
            }

            name = host[..colon];
        }

        if (name.StartsWith('[') && name.EndsWith(']') && IPAddress.TryParse(name.AsSpan(1, name.Length - 2), out _))
        {
            return null;
        }

        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Contains('*'))
            {
                if (label != "*" || i != 0)
                {
                    return $"'{host}' has a wildcard in the wrong place; '*' may only be the whole first label, as in *.example.com.";
                }

                if (labels.Length < 3)
                {
                    return $"'{host}' is too broad; a wildcard needs at least two labels after it, as in *.example.com.";
                }

                continue;
            }

            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return $"'{host}' is not a valid host name (labels of letters, digits and '-', separated by dots).";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="host"/> (a name without port) matches a pattern as routes match: exactly, or any
    /// subdomain for <c>*.example.com</c>. A port in the pattern is ignored; comparison ignores case.
    /// </summary>
    public static bool Matches(string pattern, string host)
    {
        var colon = pattern.LastIndexOf(':');
        var name = colon > 0 && !pattern.EndsWith(']') ? pattern.AsSpan(0, colon) : pattern.AsSpan();
        if (name.StartsWith("*."))
        {
            var suffix = name[1..];
            return host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
        }

        return name.Equals(host, StringComparison.OrdinalIgnoreCase);
    }
}

namespace Gateway.Routing;

/// <summary>The host and port of a request, read from the Host header without allocating.</summary>
internal readonly ref struct RequestHost(ReadOnlySpan<char> name, int port)
{
    public ReadOnlySpan<char> Name { get; } = name;

    public int Port { get; } = port;

    public static RequestHost Parse(HttpRequest request)
    {
        var value = (request.Host.Value ?? string.Empty).AsSpan();
        var defaultPort = request.IsHttps ? 443 : 80;
        var close = value.LastIndexOf(']');
        var colon = value.LastIndexOf(':');
        if (colon > close && colon >= 0 && int.TryParse(value[(colon + 1)..], out var port))
        {
            return new RequestHost(value[..colon], port);
        }

        return new RequestHost(value, defaultPort);
    }
}

/// <summary>One compiled host pattern of a route: <c>app.example.com</c>, <c>*.example.com</c>, optionally with a port.</summary>
internal sealed record HostRule(string Name, bool Wildcard, int? Port)
{
    public static HostRule Parse(string pattern)
    {
        var close = pattern.LastIndexOf(']');
        var colon = pattern.LastIndexOf(':');
        int? port = null;
        var name = pattern;
        if (colon > close && colon > 0 && int.TryParse(pattern.AsSpan(colon + 1), out var p))
        {
            port = p;
            name = pattern[..colon];
        }

        return name.StartsWith("*.", StringComparison.Ordinal) ? new HostRule(name[1..], true, port) : new HostRule(name, false, port);
    }

    /// <summary>0 when no rule matches, else higher for more specific matches: exact hosts, then longer wildcards.</summary>
    public static int BestMatch(HostRule[] rules, RequestHost request)
    {
        var best = -1;
        foreach (var rule in rules)
        {
            if (rule.Port is { } port && port != request.Port)
            {
                continue;
            }

            if (!rule.Wildcard && request.Name.Equals(rule.Name, StringComparison.OrdinalIgnoreCase))
            {
                return 10_000;
            }

            // ".example.com" must be a proper suffix: "example.com" itself does not match "*.example.com".
            if (rule.Wildcard && request.Name.Length > rule.Name.Length && request.Name.EndsWith(rule.Name, StringComparison.OrdinalIgnoreCase))
            {
                best = Math.Max(best, 2 + rule.Name.Length);
            }
        }

        return best;
    }
}

using Gateway.Routing;

namespace Gateway.Tcp;

internal enum SniMatch
{
    /// <summary><c>a.example.com</c>: that name only.</summary>
    Exact,

    /// <summary><c>*.example.com</c>: one label more (<c>a.example.com</c>, not <c>a.b.example.com</c>), as certificates match.</summary>
    Wildcard,

    /// <summary><c>.kube.example.com</c>: any name ending so, HAProxy's <c>req_ssl_sni -m end .kube.example.com</c>.</summary>
    Suffix,
}

/// <summary>A server name pattern of a TCP route. <see cref="Name"/> is lower case: the name, or the part after <c>*</c>.</summary>
internal sealed record SniPattern(SniMatch Kind, string Name)
{
    public override string ToString() => Kind switch
    {
        SniMatch.Wildcard => "*" + Name,
        _ => Name,
    };

    /// <summary>Parses a pattern; null with <paramref name="problem"/> set when it is not one.</summary>
    public static SniPattern? Parse(string text, out string? problem)
    {
        var value = text.Trim().ToLowerInvariant();
        problem = null;
        if (value.Contains(':', StringComparison.Ordinal))
        {
            problem = $"'{text}' has a port; a server name has none.";
            return null;
        }

        if (value.StartsWith('.'))
        {
            problem = HostPattern.Check(value[1..]) is { } suffixProblem ? $"'{text}': {suffixProblem}" : null;
            return problem is null ? new SniPattern(SniMatch.Suffix, value) : null;
        }

        problem = HostPattern.Check(value);
        if (problem is not null)
        {
            return null;
        }

        return value.StartsWith("*.", StringComparison.Ordinal) ? new SniPattern(SniMatch.Wildcard, value[1..]) : new SniPattern(SniMatch.Exact, value);
    }

    public bool Matches(string serverName) => Kind switch
    {
        SniMatch.Exact => serverName == Name,
        SniMatch.Wildcard => serverName.Length > Name.Length && serverName.EndsWith(Name, StringComparison.Ordinal) &&
            serverName.IndexOf('.', StringComparison.Ordinal) == serverName.Length - Name.Length,
        _ => serverName.Length > Name.Length && serverName.EndsWith(Name, StringComparison.Ordinal),
    };
}

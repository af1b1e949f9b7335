using System.Collections.Frozen;

namespace Gateway.Tcp;

/// <summary>
/// The TCP routes of one listener, by server name: an exact name first, then a wildcard one label up, then the
/// longest matching suffix, then the route without names (the listener's default). Lookups allocate nothing but the
/// wildcard's parent name.
/// </summary>
internal sealed class TcpRouteTable
{
    private readonly FrozenDictionary<string, TcpRouteDefinition> _exact;
    private readonly FrozenDictionary<string, TcpRouteDefinition> _wildcard;
    private readonly (string Suffix, TcpRouteDefinition Route)[] _suffixes;

    public TcpRouteTable(IEnumerable<TcpRouteDefinition> routes)
    {
        var exact = new Dictionary<string, TcpRouteDefinition>(StringComparer.Ordinal);
        var wildcard = new Dictionary<string, TcpRouteDefinition>(StringComparer.Ordinal);
        var suffixes = new List<(string, TcpRouteDefinition)>();
        foreach (var route in routes)
        {
            if (route.Sni.IsEmpty)
            {
                Default = route;
            }

            foreach (var pattern in route.Sni)
            {
                switch (pattern.Kind)
                {
                    case SniMatch.Exact:
                        exact[pattern.Name] = route;
                        break;
                    case SniMatch.Wildcard:
                        wildcard[pattern.Name] = route;
                        break;
                    default:
                        suffixes.Add((pattern.Name, route));
                        break;
                }
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal);
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.Ordinal);
        _suffixes = [.. suffixes.OrderByDescending(s => s.Item1.Length)];
    }

    /// <summary>The route for connections no server name decides (no SNI route matches, no ClientHello, no SNI).</summary>
    public TcpRouteDefinition? Default { get; }

    /// <summary>True when some route needs the ClientHello's server name, so the listener must peek at it.</summary>
    public bool RoutesBySni => _exact.Count > 0 || _wildcard.Count > 0 || _suffixes.Length > 0;

    /// <summary>The route for a server name (lower case, as the ClientHello parser gives it), or null.</summary>
    public TcpRouteDefinition? MatchSni(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        if (_exact.TryGetValue(serverName, out var route))
        {
            return route;
        }

        var dot = serverName.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && _wildcard.Count > 0 && _wildcard.TryGetValue(serverName[dot..], out route))
        {
            return route;
        }

        foreach (var (suffix, candidate) in _suffixes)
        {
            if (serverName.Length > suffix.Length && serverName.EndsWith(suffix, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }
}

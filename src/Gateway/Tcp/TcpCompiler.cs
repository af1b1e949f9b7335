using System.Collections.Frozen;
using System.Collections.Immutable;
using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.Tcp;

/// <summary>
/// Validates <c>Gateway:Tcp</c> against the listeners, the access lists and the HTTP routes, and compiles it into
/// <see cref="TcpSettings"/>: every error at once, each naming its key and the fix.
/// </summary>
internal static class TcpCompiler
{
    private const string Key = "Gateway:Tcp";

    public static TcpSettings Compile(GatewayOptions options, IReadOnlyList<ListenerDefinition> listeners, ConfigErrors errors)
    {
        var tcp = options.Tcp;
        var inspectDelay = Duration.Parse(tcp.InspectDelay, TimeSpan.FromSeconds(5), Key + ":InspectDelay", errors, TimeSpan.FromMilliseconds(10));
        var clusters = TcpClusterCompiler.Compile(tcp, errors);
        var byName = listeners.ToDictionary(l => l.Name, StringComparer.OrdinalIgnoreCase);
        var routes = CompileRoutes(options, byName, errors);

        var tables = new Dictionary<string, TcpRouteTable>(StringComparer.OrdinalIgnoreCase);
        foreach (var listener in listeners.Where(l => l.Protocol is "tcp" or "https"))
        {
            var own = routes.Where(r => r.Listeners.Contains(listener.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            CheckListener(listener, own, errors);
            if (own.Count > 0)
            {
                tables[listener.Name] = new TcpRouteTable(own);
            }
        }

        CheckHttpRoutes(options, byName, errors);
        CheckProxyProtocol(options, listeners, errors);
        return new TcpSettings
        {
            InspectDelay = inspectDelay,
            Listeners = tables.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            Clusters = clusters.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase),
        };
    }

    private static List<TcpRouteDefinition> CompileRoutes(GatewayOptions options, Dictionary<string, ListenerDefinition> listeners, ConfigErrors errors)
    {
        var tcp = options.Tcp;
        var result = new List<TcpRouteDefinition>();
        foreach (var (id, route) in tcp.Routes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var key = $"{Key}:Routes:{id}";
            var before = errors.All.Count;
            if (route.Listeners.Count == 0)
            {
                errors.Add(key + ":Listeners", "is required: name the tcp or https listeners whose connections this route takes.");
            }

            for (var i = 0; i < route.Listeners.Count; i++)
            {
                var name = route.Listeners[i];
                if (!listeners.TryGetValue(name ?? string.Empty, out var listener))
                {
                    errors.Add($"{key}:Listeners:{i}", $"'{name}' is not a listener; define it under Gateway:Listeners or fix the name.");
                }
                else if (listener.Protocol is not ("tcp" or "https"))
                {
                    errors.Add($"{key}:Listeners:{i}", $"'{name}' is an {listener.Protocol} listener; TCP routes take connections of tcp listeners, or TLS connections by SNI on https listeners.");
                }
                else if (listener.Protocol == "https" && route.Sni.Count == 0)
                {
                    errors.Add($"{key}:Sni", $"is required on the https listener '{name}': name the server names passed through; the rest is terminated there.");
                }
            }

            var sni = ImmutableArray.CreateBuilder<SniPattern>();
            for (var i = 0; i < route.Sni.Count; i++)
            {
                if (SniPattern.Parse(route.Sni[i] ?? string.Empty, out var problem) is { } pattern)
                {
                    sni.Add(pattern);
                }
                else
                {
                    errors.Add($"{key}:Sni:{i}", problem!);
                }
            }

            var cluster = route.Cluster;
            if (string.IsNullOrWhiteSpace(cluster))
            {
                errors.Add(key + ":Cluster", "is required: name the TCP cluster (under Gateway:Tcp:Clusters) this route sends to.");
            }
            else
            {
                CheckCluster(tcp, cluster, key + ":Cluster", errors);
            }

            var access = CompileAccess(options, route.Access, key + ":Access", errors);
            if (errors.All.Count == before)
            {
                result.Add(new TcpRouteDefinition(id, [.. route.Listeners], sni.ToImmutable(), cluster!) { Access = access });
            }
        }

        return result;
    }

    private static TcpAccessPolicy? CompileAccess(GatewayOptions options, TcpRouteAccessOptions access, string key, ConfigErrors errors)
    {
        if (access.Policy is null && access.List is null)
        {
            return null;
        }

        switch (access.Policy?.Trim().ToLowerInvariant())
        {
            case "none":
                return null;
            case null or "ip":
                break;
            case "kat" or "ip+kat" or "kat+ip":
                errors.Add(key + ":Policy", $"'{access.Policy}' needs a session cookie, which TCP connections do not carry; use ip.");
                return null;
            default:
                errors.Add(key + ":Policy", $"'{access.Policy}' is not a TCP policy; use none or ip.");
                return null;
        }

        if (access.List is null)
        {
            errors.Add(key + ":List", "is required for policy 'ip': name the access list under Gateway:Access:Lists.");
            return null;
        }

        var list = options.Access.Lists.Keys.FirstOrDefault(k => k.Equals(access.List, StringComparison.OrdinalIgnoreCase));
        if (list is null)
        {
            errors.Add(key + ":List", $"'{access.List}' is not an access list; define it under Gateway:Access:Lists.");
            return null;
        }

        switch (access.Reject.Action?.Trim().ToLowerInvariant())
        {
            case null or "close":
                if (access.Reject.Cluster is not null)
                {
                    errors.Add(key + ":Reject:Cluster", "is only used by the fallback action; set Action: fallback, or remove it.");
                }

                return new TcpAccessPolicy(list, null);
            case "fallback":
                if (access.Reject.Cluster is not { } fallback)
                {
                    errors.Add(key + ":Reject:Cluster", "is required for the fallback action: name the TCP cluster refused connections go to (an existing HAProxy).");
                    return null;
                }

                return CheckCluster(options.Tcp, fallback, key + ":Reject:Cluster", errors) ? new TcpAccessPolicy(list, fallback) : null;
            default:
                errors.Add(key + ":Reject:Action", $"'{access.Reject.Action}' is not a TCP reject action; use close or fallback.");
                return null;
        }
    }

    private static bool CheckCluster(TcpOptions tcp, string cluster, string key, ConfigErrors errors)
    {
        if (tcp.Clusters.ContainsKey(cluster))
        {
            return true;
        }

        errors.Add(key, $"'{cluster}' is not a TCP cluster; define it under Gateway:Tcp:Clusters (HTTP clusters speak HTTP, not bytes).");
        return false;
    }

    private static void CheckListener(ListenerDefinition listener, List<TcpRouteDefinition> routes, ConfigErrors errors)
    {
        var key = $"Gateway:Listeners:{listener.Name}";
        if (listener.Protocol == "tcp" && routes.Count == 0)
        {
            errors.Add(key + ":Protocol", "is tcp but no route takes its connections; add one under Gateway:Tcp:Routes naming this listener.");
        }

        var defaults = routes.Where(r => r.Sni.IsEmpty).Select(r => r.Id).ToList();
        if (defaults.Count > 1)
        {
            errors.Add(key, $"has more than one TCP route without Sni ({string.Join(", ", defaults)}); only one can take the connections no server name decides.");
        }

        var seen = new Dictionary<SniPattern, string>();
        foreach (var route in routes)
        {
            foreach (var pattern in route.Sni)
            {
                if (!seen.TryAdd(pattern, route.Id) && seen[pattern] != route.Id)
                {
                    errors.Add($"{Key}:Routes:{route.Id}:Sni", $"'{pattern}' is also taken by route '{seen[pattern]}' on listener '{listener.Name}'; keep it in one route.");
                }
            }
        }
    }

    private static void CheckHttpRoutes(GatewayOptions options, Dictionary<string, ListenerDefinition> listeners, ConfigErrors errors)
    {
        foreach (var (id, route) in options.Routes)
        {
            for (var i = 0; i < route.Listeners.Count; i++)
            {
                if (listeners.TryGetValue(route.Listeners[i] ?? string.Empty, out var listener) && listener.Protocol == "tcp")
                {
                    errors.Add($"Gateway:Routes:{id}:Listeners:{i}", $"'{listener.Name}' is a tcp listener, which does not speak HTTP; route its connections under Gateway:Tcp:Routes.");
                }
            }
        }
    }

    private static void CheckProxyProtocol(GatewayOptions options, IReadOnlyList<ListenerDefinition> listeners, ConfigErrors errors)
    {
        if (options.Access.TrustedProxies.Count > 0)
        {
            return;
        }

        foreach (var listener in listeners.Where(l => l.AcceptProxy))
        {
            errors.Add($"Gateway:Listeners:{listener.Name}:AcceptProxy",
                "needs Gateway:Access:TrustedProxies: PROXY headers are believed only from those networks, and without any every connection would be refused.");
        }
    }
}

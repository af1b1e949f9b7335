using System.Collections.Immutable;
using Gateway.Configuration;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Gateway.Routing;

/// <summary>Validates routes and turns them into <see cref="RouteDefinition"/>s.</summary>
internal static class RouteCompiler
{
    public const string FallbackRouteId = "__fallback";
    private const string CatchAll = "{**catch-all}";

    public static List<RouteDefinition> Compile(
        GatewayOptions options, IReadOnlySet<string> clusters, IReadOnlySet<string> publicListeners, ConfigErrors errors)
    {
        var routes = new List<RouteDefinition>();
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in options.Routes.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var key = $"Gateway:Routes:{id}";
            var before = errors.All.Count;
            if (id.StartsWith("__", StringComparison.Ordinal))
            {
                errors.Add(key, "route ids starting with '__' are reserved for the gateway's own routes; rename it.");
            }

            var hosts = CompileHosts(route.Hosts, key + ":Hosts", errors);
            var path = CompilePath(route, key, errors);
            var methods = CompileMethods(route.Methods, key + ":Methods", errors);

            foreach (var (listener, index) in route.Listeners.Select((l, i) => (l, i)))
            {
                if (!publicListeners.Contains(listener))
                {
                    errors.Add($"{key}:Listeners:{index}", $"'{listener}' is not a listener; define it under Gateway:Listeners or remove it.");
                }
            }

            if (string.IsNullOrWhiteSpace(route.Cluster))
            {
                errors.Add(key + ":Cluster", "is required: name the cluster (HAProxy backend) this route sends to.");
            }
            else if (!clusters.Contains(route.Cluster))
            {
                errors.Add(key + ":Cluster", $"'{route.Cluster}' is not a cluster; define it under Gateway:Clusters or fix the name.");
            }

            if (errors.All.Count != before)
            {
                continue;
            }

            var definition = new RouteDefinition(
                id, hosts, path, methods,
                [.. route.Listeners.Order(StringComparer.OrdinalIgnoreCase)],
                route.Cluster!, route.Order ?? 0)
            {
                Acme = route.Acme ?? false,
                RedirectToHttps = route.RedirectToHttps ?? false,
            };

            // Two routes that both match some request equally well would make the choice arbitrary (ASP.NET Core
            // fails such a request): for each host they name, path, methods, listeners and Order must differ.
            var rest = string.Join('|', definition.Order, path.ToUpperInvariant(),
                string.Join(',', methods.Order(StringComparer.Ordinal)), string.Join(',', definition.Listeners));
            var clash = false;
            foreach (var host in hosts.IsEmpty ? [string.Empty] : hosts)
            {
                if (seen.TryGetValue(host + "|" + rest, out var other))
                {
                    var which = host.Length == 0 ? "every host" : $"host {host}";
                    errors.Add(key, $"matches exactly the same requests as Routes:{other} for {which}; remove one, or set Order to say which wins.");
                    clash = true;
                    break;
                }
            }

            if (clash)
            {
                continue;
            }

            foreach (var host in hosts.IsEmpty ? [string.Empty] : hosts)
            {
                seen[host + "|" + rest] = id;
            }

            routes.Add(definition);
        }

        return routes;
    }

    public static RouteDefinition Fallback(string clusterId) =>
        new(FallbackRouteId, [], "/" + CatchAll, [], [], clusterId, int.MaxValue);

    private static ImmutableArray<string> CompileHosts(List<string> hosts, string key, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i]?.Trim() ?? string.Empty;
            if (HostPattern.Check(host) is { } problem)
            {
                errors.Add($"{key}:{i}", problem);
                continue;
            }

            result.Add(host.ToLowerInvariant());
        }

        return result.ToImmutable();
    }

    private static string CompilePath(ProxyRouteOptions route, string key, ConfigErrors errors)
    {
        if (route.PathPrefix is not null && route.Path is not null)
        {
            errors.Add(key, "sets both PathPrefix and Path; use PathPrefix for a prefix or Path for a pattern, not both.");
            return "/" + CatchAll;
        }

        if (route.PathPrefix is { } prefix)
        {
            if (!prefix.StartsWith('/') || prefix.IndexOfAny(['{', '}', '?', '#', '*']) >= 0)
            {
                errors.Add(key + ":PathPrefix", $"'{prefix}' is not a path prefix; it must start with '/' and hold no '{{', '}}', '?', '#' or '*'.");
                return "/" + CatchAll;
            }

            return prefix.TrimEnd('/') + "/" + CatchAll;
        }

        if (route.Path is { } pattern)
        {
            if (!pattern.StartsWith('/'))
            {
                errors.Add(key + ":Path", $"'{pattern}' must start with '/'.");
                return pattern;
            }

            try
            {
                RoutePatternFactory.Parse(pattern);
            }
            catch (RoutePatternException e)
            {
                errors.Add(key + ":Path", $"'{pattern}' is not a valid route pattern: {e.Message}");
            }

            return pattern;
        }

        return "/" + CatchAll;
    }

    private static ImmutableArray<string> CompileMethods(List<string> methods, string key, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < methods.Count; i++)
        {
            var method = methods[i]?.Trim() ?? string.Empty;
            if (method.Length == 0 || !method.All(char.IsAsciiLetter))
            {
                errors.Add($"{key}:{i}", $"'{method}' is not an HTTP method such as GET or POST.");
                continue;
            }

            result.Add(method.ToUpperInvariant());
        }

        return result.ToImmutable();
    }
}

using Gateway.Configuration;
using Gateway.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Gateway.Knock;

/// <summary>
/// Finds the route a forward-auth question is about, as the proxy's own matching would: method, host and path must
/// match; lower <c>Order</c> wins, then the more specific path, then the more specific host. The gateway's own
/// routes (the fallback, ACME pass-through) never match: a request only they would take cannot be decided.
/// </summary>
internal sealed class ForwardAuthRoutes(GatewayConfigManager config)
{
    private volatile Index? _index;

    public RouteDefinition? Find(OriginalRequest request)
    {
        var index = _index;
        var current = config.Current;
        if (index is null || !ReferenceEquals(index.Config, current))
        {
            _index = index = new Index(current, [.. current.Routes.Where(r => !r.Id.StartsWith("__", StringComparison.Ordinal)).Select(Candidate.Of)]);
        }

        Candidate? best = null;
        var bestHost = 0;
        var requestHost = new RequestHost(request.Host, request.Port);
        foreach (var candidate in index.Candidates)
        {
            var route = candidate.Route;
            if (!route.Methods.IsEmpty && !route.Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var host = candidate.Hosts.Length == 0 ? 1 : HostRule.BestMatch(candidate.Hosts, requestHost);
            if (host <= 0 || !candidate.Matcher.TryMatch(request.Path, []))
            {
                continue;
            }

            if (best is null || Better(candidate, host, best, bestHost))
            {
                (best, bestHost) = (candidate, host);
            }
        }

        return best?.Route;
    }

    private static bool Better(Candidate candidate, int host, Candidate best, int bestHost) =>
        candidate.Route.Order != best.Route.Order ? candidate.Route.Order < best.Route.Order
        : candidate.Precedence != best.Precedence ? candidate.Precedence < best.Precedence
        : host > bestHost;

    private sealed record Index(GatewayConfig Config, Candidate[] Candidates);

    private sealed record Candidate(RouteDefinition Route, HostRule[] Hosts, TemplateMatcher Matcher, decimal Precedence)
    {
        public static Candidate Of(RouteDefinition route)
        {
            var template = TemplateParser.Parse(route.PathPattern);
            return new Candidate(route, [.. route.Hosts.Select(HostRule.Parse)], new TemplateMatcher(template, []), RoutePrecedence.ComputeInbound(template));
        }
    }
}

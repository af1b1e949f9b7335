using System.Collections.Frozen;
using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// Decides which endpoints may answer a request, before ASP.NET Core picks the best one:
/// <list type="bullet">
/// <item>each listener serves only its own endpoints: routes on public listeners (and only the listeners a route
/// names), health and admin endpoints on the management listener, so a backend's own <c>/healthz</c> still reaches
/// it through a catch-all route;</item>
/// <item>a route's host patterns are matched here rather than by ASP.NET Core's host policy, which partitions
/// endpoints by host first and so lets a route naming an exact host hide a wildcard route with a longer path or a
/// lower Order. Here Order and path decide first, and the most specific host only breaks ties between routes that
/// are otherwise equal (exact host, then the longest wildcard suffix, then routes for any host).</item>
/// </list>
/// </summary>
internal sealed class RouteMatcherPolicy(GatewayConfigManager config) : MatcherPolicy, IEndpointSelectorPolicy
{
    private volatile RouteIndex _index = RouteIndex.Build(config.Current);

    public override int Order => -1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var listener = httpContext.Features.Get<ListenerFeature>()?.Listener;
        var index = CurrentIndex();
        var request = RequestHost.Parse(httpContext.Request);
        Span<int> ranks = candidates.Count <= 64 ? stackalloc int[candidates.Count] : new int[candidates.Count];
        var anyRoute = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            ranks[i] = Rank(listener, candidates[i].Endpoint, index, request);
            if (ranks[i] < 0)
            {
                candidates.SetValidity(i, false);
            }

            anyRoute |= ranks[i] > 0;
        }

        if (anyRoute)
        {
            KeepMostSpecificHosts(candidates, ranks);
        }

        return Task.CompletedTask;
    }

    /// <summary>-1: not allowed; 0: allowed, no host preference; more: how specifically the route's host matched.</summary>
    private static int Rank(ListenerDefinition? listener, Endpoint endpoint, RouteIndex index, RequestHost request)
    {
        if (listener is null)
        {
            return -1;
        }

        if (endpoint.Metadata.GetMetadata<ListenerScopeMetadata>() is { } scope)
        {
            return scope.Kind == listener.Kind ? 0 : -1;
        }

        if (endpoint.Metadata.GetMetadata<RouteModel>() is not { } route || listener.Kind != ListenerKind.Public)
        {
            return -1;
        }

        if (!index.Routes.TryGetValue(route.Config.RouteId, out var rules))
        {
            return 1;
        }

        if (!rules.AllowsListener(listener.Name))
        {
            return -1;
        }

        return rules.Hosts.Length == 0 ? 1 : HostRule.BestMatch(rules.Hosts, request);
    }

    // Among candidates ASP.NET Core ranks equal (same Order, same path precedence), keep those whose host matched best.
    private static void KeepMostSpecificHosts(CandidateSet candidates, Span<int> ranks)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            for (var j = 0; j < candidates.Count; j++)
            {
                if (j != i && candidates.IsValidCandidate(j) && candidates[j].Score == candidates[i].Score && ranks[j] > ranks[i])
                {
                    candidates.SetValidity(i, false);
                    break;
                }
            }
        }
    }

    private RouteIndex CurrentIndex()
    {
        var index = _index;
        var current = config.Current;
        if (!ReferenceEquals(index.Config, current))
        {
            _index = index = RouteIndex.Build(current);
        }

        return index;
    }

    /// <summary>Per route: the listeners it is limited to and its host patterns, for one configuration revision.</summary>
    private sealed record RouteIndex(GatewayConfig Config, FrozenDictionary<string, RouteRules> Routes)
    {
        public static RouteIndex Build(GatewayConfig config) => new(
            config,
            config.Routes.ToFrozenDictionary(
                r => r.Id,
                r => new RouteRules([.. r.Listeners], [.. r.Hosts.Select(HostRule.Parse)]),
                StringComparer.OrdinalIgnoreCase));
    }

    private sealed record RouteRules(string[] Listeners, HostRule[] Hosts)
    {
        public bool AllowsListener(string listener)
        {
            if (Listeners.Length == 0)
            {
                return true;
            }

            foreach (var name in Listeners)
            {
                if (string.Equals(name, listener, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

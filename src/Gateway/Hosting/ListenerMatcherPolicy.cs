using System.Collections.Frozen;
using Gateway.Configuration;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace Gateway.Hosting;

/// <summary>
/// Keeps each listener to its own endpoints: proxy routes only on public listeners (and only on the listeners a route
/// names), health and admin endpoints only on the management listener. Done at endpoint selection so that a backend's
/// own <c>/healthz</c> still reaches it through a catch-all route.
/// </summary>
internal sealed class ListenerMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly GatewayConfigManager _config;
    private volatile RouteListenerIndex _index;

    public ListenerMatcherPolicy(GatewayConfigManager config)
    {
        _config = config;
        _index = RouteListenerIndex.Build(config.Current);
    }

    // Before the host and method policies, so they see only candidates this listener may serve.
    public override int Order => -1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var listener = httpContext.Features.Get<ListenerFeature>()?.Listener;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && !Allows(listener, candidates[i].Endpoint))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private bool Allows(ListenerDefinition? listener, Endpoint endpoint)
    {
        if (listener is null)
        {
            return false;
        }

        if (endpoint.Metadata.GetMetadata<ListenerScopeMetadata>() is { } scope)
        {
            return scope.Kind == listener.Kind;
        }

        if (endpoint.Metadata.GetMetadata<RouteModel>() is { } route)
        {
            return listener.Kind == ListenerKind.Public && CurrentIndex().Allows(route.Config.RouteId, listener.Name);
        }

        return false;
    }

    private RouteListenerIndex CurrentIndex()
    {
        var index = _index;
        var current = _config.Current;
        if (!ReferenceEquals(index.Config, current))
        {
            _index = index = RouteListenerIndex.Build(current);
        }

        return index;
    }

    /// <summary>Route id → the listeners it is limited to, for one configuration revision.</summary>
    private sealed record RouteListenerIndex(GatewayConfig Config, FrozenDictionary<string, string[]> Listeners)
    {
        public static RouteListenerIndex Build(GatewayConfig config) => new(
            config,
            config.Routes.Where(r => r.Listeners.Length > 0)
                .ToFrozenDictionary(r => r.Id, r => r.Listeners.ToArray(), StringComparer.OrdinalIgnoreCase));

        public bool Allows(string routeId, string listener)
        {
            if (!Listeners.TryGetValue(routeId, out var names))
            {
                return true;
            }

            foreach (var name in names)
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

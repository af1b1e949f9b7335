using System.Collections.Immutable;
using Gateway.Hosting;
using Gateway.Routing;

namespace Gateway.Configuration;

/// <summary>
/// One validated, immutable configuration. Readers take the current instance and never see a half-applied change;
/// a reload builds a new instance and swaps it in.
/// </summary>
internal sealed record GatewayConfig(
    int Revision,
    string StateDirectory,
    ListenerDefinition Management,
    ImmutableArray<ListenerDefinition> Listeners,
    ImmutableArray<RouteDefinition> Routes,
    ImmutableDictionary<string, ClusterDefinition> Clusters,
    string? FallbackClusterId,
    ListenerDefinition? DemoUpstream)
{
    /// <summary>Every listener the process binds, in binding order.</summary>
    public IEnumerable<ListenerDefinition> AllListeners =>
        Listeners.Append(Management).Concat(DemoUpstream is null ? [] : [DemoUpstream]);
}

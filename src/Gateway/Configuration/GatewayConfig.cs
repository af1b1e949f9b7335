using System.Collections.Immutable;
using Gateway.Access;
using Gateway.Hosting;
using Gateway.Observability;
using Gateway.Knock;
using Gateway.Kubernetes;
using Gateway.Routing;
using Gateway.RuntimeApi;
using Gateway.RuntimeApi.AdminApi;
using Gateway.State;
using Gateway.Tcp;
using Gateway.Tls;

namespace Gateway.Configuration;

/// <summary>
/// One validated, immutable configuration. Readers take the current instance and never see a half-applied change;
/// a reload builds a new instance and swaps it in. Each capability adds its own compiled section here.
/// </summary>
internal sealed record GatewayConfig
{
    public required int Revision { get; init; }

    public required string StateDirectory { get; init; }

    public required ListenerDefinition Management { get; init; }

    public required ImmutableArray<ListenerDefinition> Listeners { get; init; }

    public required ImmutableArray<RouteDefinition> Routes { get; init; }

    public required ImmutableDictionary<string, ClusterDefinition> Clusters { get; init; }

    public string? FallbackClusterId { get; init; }

    /// <summary>The answer to unrouted requests when there is no fallback cluster.</summary>
    public NoRouteResponse NoRoute { get; init; } = NoRouteResponse.Default;

    public ListenerDefinition? DemoUpstream { get; init; }

    public AccessConfig Access { get; init; } = AccessConfig.Empty;

    public StateSettings State { get; init; } = StateSettings.Default;

    public TlsSettings Tls { get; init; } = TlsSettings.None;

    public RuntimeApiConfig RuntimeApi { get; init; } = RuntimeApiConfig.Disabled;

    public AdminApiConfig AdminApi { get; init; } = AdminApiConfig.Empty;

    public AccessLogSettings AccessLog { get; init; } = AccessLogSettings.Default;

    public MetricsSettings Metrics { get; init; } = MetricsSettings.Default;

    public ShutdownSettings Shutdown { get; init; } = ShutdownSettings.Default;

    public TcpSettings Tcp { get; init; } = TcpSettings.None;

    public KnockSettings Knock { get; init; } = KnockSettings.Disabled;

    public KubernetesSettings Kubernetes { get; init; } = KubernetesSettings.Disabled;

    /// <summary>Every listener the process binds, in binding order.</summary>
    public IEnumerable<ListenerDefinition> AllListeners =>
        Listeners.Append(Management).Concat(DemoUpstream is null ? [] : [DemoUpstream]);
}

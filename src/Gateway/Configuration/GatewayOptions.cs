using Gateway.Access;
using Gateway.Demo;
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
/// The <c>Gateway</c> configuration section as the user writes it. Bound from the config files, <c>conf.d</c> and the
/// environment, then compiled (and validated) into an immutable <see cref="GatewayConfig"/>. Collections are keyed by
/// name, as YARP's are, so that a <c>conf.d</c> file or an environment variable adds or overrides one entry by name.
/// </summary>
internal sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Where the gateway writes what it keeps: keys, certificates, the admin socket, journals.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>The management listener: health, readiness (and later metrics and the admin API).</summary>
    public ManagementOptions Management { get; set; } = new();

    /// <summary>HAProxy's <c>frontend</c>/<c>bind</c>: the addresses and ports the gateway accepts traffic on.</summary>
    public Dictionary<string, ListenerOptions> Listeners { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HAProxy's <c>use_backend ... if</c> rules: which requests go to which cluster.</summary>
    public Dictionary<string, ProxyRouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HAProxy's <c>backend</c> sections: groups of destinations (servers).</summary>
    public Dictionary<string, ClusterOptions> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HAProxy's <c>default_backend</c>: where requests that no route matches go (an existing HAProxy, say).</summary>
    public FallbackOptions Fallback { get; set; } = new();

    /// <summary>Who may reach protected routes: allowlists, KATs, sessions, trusted proxies.</summary>
    public AccessOptions Access { get; set; } = new();

    /// <summary>Where the access state is kept: embedded journal (default) or PostgreSQL.</summary>
    public StateOptions State { get; set; } = new();

    /// <summary>HAProxy's <c>stats socket</c>: the runtime API on a Unix socket and optionally TCP.</summary>
    public RuntimeApiOptions RuntimeApi { get; set; } = new();

    /// <summary>The JSON admin API on the management listener, and its bearer keys.</summary>
    public AdminApiOptions AdminApi { get; set; } = new();

    /// <summary>The built-in "whoami" upstream of the embedded default.</summary>
    public DemoUpstreamOptions DemoUpstream { get; set; } = new();

    /// <summary>Certificates, SNI and TLS settings of the https listeners; ACME.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>HAProxy's <c>option httplog</c>: one line per request, as text or JSON, to stdout or a rotated file.</summary>
    public AccessLogOptions AccessLog { get; set; } = new();

    /// <summary>Prometheus <c>/metrics</c> on the management listener, and optional OTLP export.</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Graceful shutdown on SIGTERM: readiness first, then the drain.</summary>
    public ShutdownOptions Shutdown { get; set; } = new();

    /// <summary>Layer-4 routes and clusters: SNI passthrough on https listeners, plain TCP listeners.</summary>
    public TcpOptions Tcp { get; set; } = new();

    /// <summary>OpenID Connect login, the "allow my IP" portal, and the forward-auth endpoint.</summary>
    public KnockOptions Knock { get; set; } = new();

    /// <summary>Ingress-controller mode: serve the cluster's Ingress resources of our IngressClass.</summary>
    public KubernetesOptions Kubernetes { get; set; } = new();
}

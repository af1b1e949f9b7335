using System.Globalization;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Gateway.Routing;

/// <summary>Translates our routes and clusters into YARP's <see cref="RouteConfig"/> and <see cref="ClusterConfig"/>.</summary>
internal static class YarpConfigTranslator
{
    // Cluster metadata read by GatewayHttpClientFactory when it builds a cluster's HttpClient.
    public const string ConnectTimeoutKey = "Gateway.ConnectTimeoutMs";
    public const string CaFileKey = "Gateway.CaFile";
    public const string SniKey = "Gateway.Sni";
    public const string VerifyKey = "Gateway.Verify";

    public static RouteConfig ToRoute(RouteDefinition route, ClusterDefinition cluster) => new()
    {
        RouteId = route.Id,
        ClusterId = route.ClusterId,
        Order = route.Order,
        Match = new RouteMatch
        {
            // Hosts are matched by RouteMatcherPolicy, which lets Order and path decide before host specificity.
            Path = route.PathPattern,
            Methods = route.Methods.IsEmpty ? null : route.Methods,
        },
        Transforms = Transforms(cluster),
    };

    public static ClusterConfig ToCluster(ClusterDefinition cluster)
    {
        var metadata = new Dictionary<string, string>
        {
            [ConnectTimeoutKey] = ((long)cluster.ConnectTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            [VerifyKey] = cluster.Tls.Verify ? "true" : "false",
        };
        if (cluster.Tls.CaFile is { } caFile)
        {
            metadata[CaFileKey] = caFile;
        }

        if (cluster.Tls.Sni is { } sni)
        {
            metadata[SniKey] = sni;
        }

        if (cluster.ActiveHealthCheck is { } active)
        {
            metadata[ConsecutiveFailuresHealthPolicyOptions.ThresholdMetadataName] = active.Fall.ToString(CultureInfo.InvariantCulture);
        }

        return new ClusterConfig
        {
            ClusterId = cluster.Id,
            LoadBalancingPolicy = cluster.LoadBalancingPolicy,
            Destinations = cluster.Destinations.ToDictionary(
                d => d.Name,
                d => new DestinationConfig { Address = d.Address.ToString(), Health = d.Health?.ToString(), Host = cluster.Host },
                StringComparer.OrdinalIgnoreCase),
            HealthCheck = new HealthCheckConfig
            {
                // Health as YARP sees it, minus destinations drained or in maintenance (runtime API, admin API).
                AvailableDestinationsPolicy = AdminStateDestinationsPolicy.PolicyName,
                Active = cluster.ActiveHealthCheck is { } a
                    ? new ActiveHealthCheckConfig { Enabled = true, Interval = a.Interval, Timeout = a.Timeout, Path = a.Path, Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures }
                    : null,
                Passive = cluster.PassiveReactivationPeriod is { } period
                    ? new PassiveHealthCheckConfig { Enabled = true, Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate, ReactivationPeriod = period }
                    : null,
            },
            SessionAffinity = cluster.AffinityPolicy is { } policy
                ? new SessionAffinityConfig { Enabled = true, Policy = policy, AffinityKeyName = cluster.AffinityName! }
                : null,
            HttpClient = new HttpClientConfig
            {
                DangerousAcceptAnyServerCertificate = !cluster.Tls.Verify,
                MaxConnectionsPerServer = cluster.MaxConnectionsPerDestination,
            },
            HttpRequest = new Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig { ActivityTimeout = cluster.ServerTimeout },
            Metadata = metadata,
        };
    }

    private static IReadOnlyList<IReadOnlyDictionary<string, string>> Transforms(ClusterDefinition cluster)
    {
        var transforms = new List<IReadOnlyDictionary<string, string>>
        {
            // X-Forwarded-* are written by Access/ForwardedHeadersTransform, which knows the trusted proxies.
            new Dictionary<string, string> { ["X-Forwarded"] = "Off" },
        };

        // HAProxy keeps the client's Host; so do we, unless the cluster names a Host to send.
        if (cluster.Host is null)
        {
            transforms.Add(new Dictionary<string, string> { ["RequestHeaderOriginalHost"] = "true" });
        }

        return transforms;
    }
}

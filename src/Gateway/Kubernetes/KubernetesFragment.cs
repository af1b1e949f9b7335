using System.Collections.Immutable;
using Gateway.Access;
using Gateway.Configuration;
using Gateway.Routing;
using Gateway.Tls;

namespace Gateway.Kubernetes;

/// <summary>
/// What the Ingress resources add to the configuration, in the shape of the config files' own options, so that the
/// one compiler validates and compiles both into the same immutable snapshot. Ids carry a <c>k8s</c> prefix, which
/// keeps them apart from file ids; <see cref="Owners"/> maps each back to its Ingress so that an error can be pinned
/// on the Ingress that caused it.
/// </summary>
internal sealed record KubernetesFragment
{
    public const string RoutePrefix = "k8s/";
    public const string ListPrefix = "k8s.";

    public static readonly KubernetesFragment Empty = new();

    public ImmutableDictionary<string, ProxyRouteOptions> Routes { get; init; } = ImmutableDictionary<string, ProxyRouteOptions>.Empty;

    public ImmutableDictionary<string, ClusterOptions> Clusters { get; init; } = ImmutableDictionary<string, ClusterOptions>.Empty;

    public ImmutableDictionary<string, AccessListOptions> Lists { get; init; } = ImmutableDictionary<string, AccessListOptions>.Empty;

    public ImmutableArray<ServerCertificate> Certificates { get; init; } = [];

    /// <summary>Config key (<c>Gateway:Routes:k8s/...</c>) → the Ingress (<c>namespace/name</c>) it came from.</summary>
    public ImmutableDictionary<string, string> Owners { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Clusters fed by EndpointSlices: without ready pods they have no destinations, which answers 503.</summary>
    public IReadOnlySet<string> EndpointClusters => Clusters.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);

    public void MergeInto(GatewayOptions options)
    {
        foreach (var (id, route) in Routes)
        {
            options.Routes[id] = route;
        }

        foreach (var (id, cluster) in Clusters)
        {
            options.Clusters[id] = cluster;
        }

        foreach (var (name, list) in Lists)
        {
            options.Access.Lists[name] = list;
        }
    }

    /// <summary>The Ingress a config error is about, when it is about one of this fragment's entries.</summary>
    public string? OwnerOf(ConfigError error)
    {
        foreach (var (key, owner) in Owners)
        {
            if (error.Key.Equals(key, StringComparison.OrdinalIgnoreCase) || error.Key.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))
            {
                return owner;
            }
        }

        return null;
    }
}

using System.Collections.Immutable;

namespace Gateway.Routing;

/// <summary>A validated route, ready to be handed to YARP.</summary>
internal sealed record RouteDefinition(
    string Id,
    ImmutableArray<string> Hosts,
    string PathPattern,
    ImmutableArray<string> Methods,
    ImmutableArray<string> Listeners,
    string ClusterId,
    int Order)
{
    /// <summary>The route's hosts get a certificate over ACME.</summary>
    public bool Acme { get; init; }

    /// <summary>Plain-HTTP requests are redirected to https.</summary>
    public bool RedirectToHttps { get; init; }
}

/// <summary>A validated cluster.</summary>
internal sealed record ClusterDefinition(
    string Id,
    ImmutableArray<DestinationDefinition> Destinations,
    string LoadBalancingPolicy,
    ActiveHealthCheck? ActiveHealthCheck,
    TimeSpan? PassiveReactivationPeriod,
    TimeSpan ConnectTimeout,
    TimeSpan ServerTimeout,
    int? MaxConnectionsPerDestination,
    DestinationTls Tls,
    string? AffinityPolicy,
    string? AffinityName,
    string? Host);

internal sealed record DestinationDefinition(string Name, Uri Address, Uri? Health);

internal sealed record ActiveHealthCheck(TimeSpan Interval, TimeSpan Timeout, string Path, int Fall);

internal sealed record DestinationTls(bool Verify, string? CaFile, string? Sni);

using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Gateway.Access;

namespace Gateway.Tcp;

/// <summary>The validated <c>Gateway:Tcp</c> section: a route table per listener, and the TCP clusters.</summary>
internal sealed record TcpSettings
{
    public static readonly TcpSettings None = new();

    public TimeSpan InspectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Listener name → its TCP routes; listeners without TCP routes are absent.</summary>
    public FrozenDictionary<string, TcpRouteTable> Listeners { get; init; } = FrozenDictionary<string, TcpRouteTable>.Empty;

    public ImmutableDictionary<string, TcpClusterDefinition> Clusters { get; init; } = ImmutableDictionary<string, TcpClusterDefinition>.Empty;

    public TcpRouteTable? RoutesOf(string listener) => Listeners.GetValueOrDefault(listener);
}

/// <summary>A validated TCP route.</summary>
internal sealed record TcpRouteDefinition(string Id, ImmutableArray<string> Listeners, ImmutableArray<SniPattern> Sni, string ClusterId)
{
    /// <summary>The IP allowlist the client must be on; null: open.</summary>
    public TcpAccessPolicy? Access { get; init; }
}

/// <summary>
/// A TCP route's IP policy: the list, and where refused connections go (null: closed). Its two decisions are built
/// with it, so recording one on a connection allocates nothing; equality is the list's and the fallback's.
/// </summary>
internal sealed record TcpAccessPolicy(string ListName, string? FallbackCluster)
{
    public AccessDecision Allowed { get; } = new("ip", ListName, AccessReason.Allowed);

    public AccessDecision Refused { get; } = new("ip", ListName, AccessReason.IpNotListed);

    public bool Equals(TcpAccessPolicy? other) =>
        other is not null && ListName == other.ListName && FallbackCluster == other.FallbackCluster;

    public override int GetHashCode() => HashCode.Combine(ListName, FallbackCluster);
}

internal enum TcpBalancing
{
    RoundRobin,
    LeastConnections,
}

/// <summary>The PROXY protocol version sent to a cluster's destinations.</summary>
internal enum ProxyVersion
{
    None,
    V1,
    V2,
}

internal sealed record TcpClusterDefinition(
    string Id,
    ImmutableArray<TcpDestinationDefinition> Destinations,
    TcpBalancing Balancing,
    TcpHealthCheck? HealthCheck,
    TimeSpan ConnectTimeout,
    TimeSpan IdleTimeout,
    int? MaxConnectionsPerDestination,
    ProxyVersion SendProxy);

/// <summary>One destination: an IP endpoint, or a host name resolved at each connect.</summary>
internal sealed record TcpDestinationDefinition(string Name, string Host, int Port)
{
    public EndPoint EndPoint { get; } = IPAddress.TryParse(Host, out var address) ? new IPEndPoint(address, Port) : new DnsEndPoint(Host, Port);

    public string Display => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}

internal sealed record TcpHealthCheck(TimeSpan Interval, TimeSpan Timeout, int Fall, int Rise);

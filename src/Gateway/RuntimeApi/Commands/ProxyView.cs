using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Routing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// The configuration seen as HAProxy proxies: public listeners are frontends and clusters are backends, numbered
/// (HAProxy's <c>iid</c>) from 2 in that order, by name, as HAProxy numbers its sections after its internal one.
/// Destinations are servers, numbered from 1 by name.
/// </summary>
internal sealed class ProxyView(GatewayConfig config)
{
    public IReadOnlyList<ListenerDefinition> Frontends { get; } = config.Listeners.OrderBy(l => l.Name, StringComparer.Ordinal).ToList();

    public IReadOnlyList<ClusterDefinition> Backends { get; } = config.Clusters.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();

    public int FrontendId(int index) => 2 + index;

    public int BackendId(int index) => 2 + Frontends.Count + index;

    /// <summary>A backend by name or <c>#iid</c>; -1 when there is none.</summary>
    public int FindBackend(string word)
    {
        if (word.StartsWith('#'))
        {
            return CliNumbers.TryParseId(word.AsSpan(1), out var id) && id - 2 - Frontends.Count is var index && index >= 0 && index < Backends.Count ? index : -1;
        }

        for (var i = 0; i < Backends.Count; i++)
        {
            if (string.Equals(Backends[i].Id, word, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A server of a backend by name or <c>#id</c>; -1 when there is none.</summary>
    public static int FindServer(ClusterDefinition cluster, string word)
    {
        if (word.StartsWith('#'))
        {
            return CliNumbers.TryParseId(word.AsSpan(1), out var id) && id >= 1 && id <= cluster.Destinations.Length ? id - 1 : -1;
        }

        for (var i = 0; i < cluster.Destinations.Length; i++)
        {
            if (string.Equals(cluster.Destinations[i].Name, word, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>A destination's state as the runtime API reports it: YARP's health plus the administrative state.</summary>
internal readonly record struct ServerStatus(bool Checked, DestinationHealth Active, DestinationHealth Passive, AdminState Admin, DateTimeOffset? AdminChangedAt, int Concurrent)
{
    public bool IsDown => Active == DestinationHealth.Unhealthy || Passive == DestinationHealth.Unhealthy;

    /// <summary>Serving traffic: ready and not known to be down.</summary>
    public bool IsAvailable => Admin == AdminState.Ready && !IsDown;

    public static ServerStatus Of(ClusterDefinition cluster, DestinationDefinition destination, IProxyStateLookup proxy, DestinationAdminStates admin)
    {
        var active = DestinationHealth.Unknown;
        var passive = DestinationHealth.Unknown;
        var concurrent = 0;
        if (proxy.TryGetCluster(cluster.Id, out var state) && state.Destinations.TryGetValue(destination.Name, out var live))
        {
            active = live.Health.Active;
            passive = live.Health.Passive;
            concurrent = live.ConcurrentRequestCount;
        }

        return new ServerStatus(cluster.ActiveHealthCheck is not null, active, passive, admin.Get(cluster.Id, destination.Name), admin.LastChange(cluster.Id, destination.Name), concurrent);
    }
}

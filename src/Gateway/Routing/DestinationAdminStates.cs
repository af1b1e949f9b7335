using System.Collections.Concurrent;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;

namespace Gateway.Routing;

/// <summary>A destination's administrative state, as HAProxy's <c>set server ... state ready|drain|maint</c> sets it.</summary>
internal enum AdminState
{
    Ready,

    /// <summary>Out of load balancing; still health-checked.</summary>
    Drain,

    /// <summary>Out of rotation entirely (HAProxy's maintenance mode).</summary>
    Maint,
}

/// <summary>
/// Administrative states set at run time (runtime API, admin API), by cluster and destination name. A destination
/// not listed is <see cref="AdminState.Ready"/>. A change is applied at once by asking YARP to recompute the cluster's
/// available destinations, which <see cref="AdminStateDestinationsPolicy"/> filters. Kept across config reloads (by
/// name), not across restarts, as HAProxy without a server-state file.
/// </summary>
internal sealed class DestinationAdminStates(IProxyStateLookup proxyState, IClusterDestinationsUpdater updater, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Cluster, string Destination), Entry> _states = new(Comparer.Instance);

    public AdminState Get(string cluster, string destination) =>
        _states.TryGetValue((cluster, destination), out var entry) ? entry.State : AdminState.Ready;

    /// <summary>When the state was last changed at run time (null: never), and whether it ever was.</summary>
    public DateTimeOffset? LastChange(string cluster, string destination) =>
        _states.TryGetValue((cluster, destination), out var entry) ? entry.ChangedAt : null;

    public void Set(string cluster, string destination, AdminState state)
    {
        _states[(cluster, destination)] = new Entry(state, time.GetUtcNow());
        if (proxyState.TryGetCluster(cluster, out var clusterState))
        {
            updater.UpdateAvailableDestinations(clusterState);
        }
    }

    private sealed record Entry(AdminState State, DateTimeOffset ChangedAt);

    private sealed class Comparer : IEqualityComparer<(string Cluster, string Destination)>
    {
        public static readonly Comparer Instance = new();

        public bool Equals((string Cluster, string Destination) x, (string Cluster, string Destination) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Cluster, y.Cluster) && StringComparer.OrdinalIgnoreCase.Equals(x.Destination, y.Destination);

        public int GetHashCode((string Cluster, string Destination) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Cluster), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Destination));
    }
}

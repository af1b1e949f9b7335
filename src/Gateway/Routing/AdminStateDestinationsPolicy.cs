using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// <summary>
/// YARP's available-destinations step for every cluster: its own health-based policy (healthy or not yet probed),
/// then minus the destinations an operator drained or put in maintenance.
/// </summary>
internal sealed class AdminStateDestinationsPolicy(IServiceProvider services) : IAvailableDestinationsPolicy
{
    public const string PolicyName = "Gateway.AdminState";

    private IAvailableDestinationsPolicy? _health;

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations)
    {
        // Resolved lazily: the policies are resolved together, and ours is one of them.
        _health ??= services.GetServices<IAvailableDestinationsPolicy>()
            .First(p => p.Name == HealthCheckConstants.AvailableDestinations.HealthyAndUnknown);
        var states = services.GetRequiredService<DestinationAdminStates>();
        var healthy = _health.GetAvailalableDestinations(config, allDestinations);

        List<DestinationState>? filtered = null;
        for (var i = 0; i < healthy.Count; i++)
        {
            var ready = states.Get(config.ClusterId, healthy[i].DestinationId) == AdminState.Ready;
            if (!ready && filtered is null)
            {
                filtered = [.. healthy.Take(i)];
            }
            else if (ready)
            {
                filtered?.Add(healthy[i]);
            }
        }

        return filtered ?? healthy;
    }
}

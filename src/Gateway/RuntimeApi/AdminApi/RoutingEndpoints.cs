using Gateway.Access;
using Gateway.Configuration;
using Gateway.Routing;
using Gateway.RuntimeApi.Commands;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary><c>/api/v1/routes</c> and <c>/api/v1/clusters</c>: what the gateway routes where, and the state of every destination.</summary>
internal static partial class RoutingEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/routes", GetRoutes).WithLevel(CliLevel.User).WithSummary("Routes with their access policy.");
        api.MapGet("/clusters", GetClusters).WithLevel(CliLevel.User).WithSummary("Clusters with each destination's health and state.");
        api.MapPut("/clusters/{cluster}/destinations/{destination}/state", SetState).WithLevel(CliLevel.Admin)
            .WithSummary("Takes a destination out of load balancing (drain), out of service (maint), or back (ready).");
    }

    private static Ok<RouteView[]> GetRoutes(GatewayConfigManager config)
    {
        var current = config.Current;
        return TypedResults.Ok(current.Routes.Select(r =>
        {
            var policy = current.Access.RoutePolicies.GetValueOrDefault(r.Id);
            return new RouteView(r.Id, r.Hosts, r.PathPattern, r.Methods, r.Listeners, r.ClusterId, RoutePolicy.Describe(policy?.Mode ?? PolicyMode.None), policy?.ListName);
        }).ToArray());
    }

    private static Ok<ClusterView[]> GetClusters(GatewayConfigManager config, IProxyStateLookup proxy, DestinationAdminStates admin) =>
        TypedResults.Ok(new ProxyView(config.Current).Backends.Select(c => new ClusterView(
            c.Id, c.LoadBalancingPolicy, c.ActiveHealthCheck is not null,
            c.Destinations.Select(d =>
            {
                var status = ServerStatus.Of(c, d, proxy, admin);
                return new DestinationView(d.Name, d.Address.ToString(), status.Active.ToString().ToLowerInvariant(), status.Passive.ToString().ToLowerInvariant(),
                    status.Admin.ToString().ToLowerInvariant(), status.IsAvailable);
            }).ToArray())).ToArray());

    private static Results<NoContent, NotFound<ApiError>, BadRequest<ApiError>> SetState(
        string cluster, string destination, SetStateRequest request, HttpContext http, GatewayConfigManager config, DestinationAdminStates admin,
        ILoggerFactory loggers)
    {
        if (!config.Current.Clusters.TryGetValue(cluster, out var definition) ||
            definition.Destinations.FirstOrDefault(d => string.Equals(d.Name, destination, StringComparison.OrdinalIgnoreCase)) is not { } target)
        {
            return TypedResults.NotFound(new ApiError($"There is no destination '{destination}' in cluster '{cluster}'."));
        }

        AdminState? state = request.State?.ToLowerInvariant() switch
        {
            "ready" => AdminState.Ready,
            "drain" => AdminState.Drain,
            "maint" => AdminState.Maint,
            _ => null,
        };
        if (state is null)
        {
            return TypedResults.BadRequest(new ApiError($"'{request.State}' is not a state; use ready, drain or maint."));
        }

        admin.Set(definition.Id, target.Name, state.Value);
        Log.StateSet(loggers.CreateLogger(typeof(RoutingEndpoints)), ApiKeyFilter.Actor(http), definition.Id, target.Name, request.State!.ToLowerInvariant());
        return TypedResults.NoContent();
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RuntimeApiServerState, LogLevel.Information, "Audit: {Actor} set destination {Cluster}/{Destination} to {State}.")]
        public static partial void StateSet(ILogger logger, string actor, string cluster, string destination, string state);
    }
}

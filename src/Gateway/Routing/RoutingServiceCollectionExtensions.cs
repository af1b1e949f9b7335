using Gateway.Access;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Gateway.Routing;

internal static class RoutingServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayRouting(this IServiceCollection services)
    {
        services.AddReverseProxy();
        services.AddSingleton<IProxyConfigProvider, GatewayProxyConfigProvider>();
        services.AddSingleton<IConfigChangeListener, RoutingChangeListener>();
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory, GatewayHttpClientFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, RouteMatcherPolicy>());
        services.TryAddSingleton<DestinationAdminStates>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAvailableDestinationsPolicy, AdminStateDestinationsPolicy>());
        return services;
    }

    /// <summary>Maps the proxy routes: access policy first, then YARP's own steps.</summary>
    public static WebApplication MapGatewayRoutes(this WebApplication app)
    {
        app.MapReverseProxy(pipeline =>
        {
            pipeline.UseAccessPolicy();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        return app;
    }
}

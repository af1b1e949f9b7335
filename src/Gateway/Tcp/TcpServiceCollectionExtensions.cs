using Gateway.Tcp.Clusters;
using Gateway.Tcp.Forwarding;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Tcp;

internal static class TcpServiceCollectionExtensions
{
    /// <summary>TCP routes and clusters: SNI passthrough, plain TCP listeners, health checks, the PROXY protocol.</summary>
    public static IServiceCollection AddGatewayTcp(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TcpClusterRegistry>();
        services.TryAddSingleton<TcpConnectionLog>();
        services.TryAddSingleton<TcpConnector>();
        services.TryAddSingleton<TcpForwarder>();
        services.AddHostedService<TcpHealthChecks>();
        return services;
    }
}

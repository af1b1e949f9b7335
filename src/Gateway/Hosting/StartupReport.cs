using System.Net;
using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>Logs, once every listener is bound, where the gateway listens and with which configuration.</summary>
internal sealed partial class StartupReport(
    IHostApplicationLifetime lifetime, ListenerRegistry registry, GatewayConfigManager config, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var (name, endpoint) in registry.All)
            {
                Log.ListenerBound(logger, name, endpoint.ToString());
            }

            var current = config.Current;
            if (current.Management.IsWildcard || (current.Management.Address is { } address && !IPAddress.IsLoopback(address)))
            {
                Log.ManagementNotLoopback(logger, current.Management.Display);
            }

            Log.Started(logger, current.Routes.Length, current.Clusters.Count, current.StateDirectory);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.ListenerBound, LogLevel.Information, "Listener {Name} bound on {EndPoint}.")]
        public static partial void ListenerBound(ILogger logger, string name, string endPoint);

        [LoggerMessage(Observability.EventIds.ManagementNotLoopback, LogLevel.Warning, "The management listener is bound on {EndPoint}, beyond loopback; restrict who can reach it.")]
        public static partial void ManagementNotLoopback(ILogger logger, string endPoint);

        [LoggerMessage(Observability.EventIds.GatewayStarted, LogLevel.Information, "Gateway started with {Routes} routes and {Clusters} clusters; state in {StateDirectory}.")]
        public static partial void Started(ILogger logger, int routes, int clusters, string stateDirectory);
    }
}

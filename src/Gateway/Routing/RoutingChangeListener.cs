using Yarp.ReverseProxy.Configuration;

namespace Gateway.Routing;

/// <summary>Logs when YARP has actually applied (or refused) a routing revision, which happens just after the swap.</summary>
internal sealed partial class RoutingChangeListener(ILogger<RoutingChangeListener> logger) : IConfigChangeListener
{
    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
        foreach (var config in proxyConfigs)
        {
            Log.Applied(logger, config.RevisionId, config.Routes.Count, config.Clusters.Count);
        }
    }

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) =>
        Log.ApplyFailed(logger, exception);

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs)
    {
    }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) =>
        Log.ApplyFailed(logger, exception);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RoutingApplied, LogLevel.Debug, "Routing revision {Revision} applied: {Routes} routes, {Clusters} clusters.")]
        public static partial void Applied(ILogger logger, string revision, int routes, int clusters);

        [LoggerMessage(Observability.EventIds.RoutingApplyFailed, LogLevel.Error, "The proxy refused a routing revision; the previous routes stay in force.")]
        public static partial void ApplyFailed(ILogger logger, Exception exception);
    }
}

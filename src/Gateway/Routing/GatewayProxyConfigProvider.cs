using Gateway.Configuration;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Routing;

/// <summary>
/// The one <see cref="IProxyConfigProvider"/> of the gateway: YARP's view of the current <see cref="GatewayConfig"/>,
/// rebuilt when the configuration manager swaps in a new revision.
/// </summary>
internal sealed class GatewayProxyConfigProvider(GatewayConfigManager manager) : IProxyConfigProvider
{
    private Snapshot? _snapshot;

    public IProxyConfig GetConfig()
    {
        // Take the token before reading the config, so a swap in between is never missed.
        var token = manager.ChangeToken;
        var config = manager.Current;
        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Source, config) || snapshot.ChangeToken.HasChanged)
        {
            snapshot = new Snapshot(config, token);
            _snapshot = snapshot;
        }

        return snapshot;
    }

    private sealed class Snapshot : IProxyConfig
    {
        public Snapshot(GatewayConfig source, IChangeToken changeToken)
        {
            Source = source;
            ChangeToken = changeToken;
            Clusters = source.Clusters.Values.Select(YarpConfigTranslator.ToCluster).ToList();
            Routes = source.Routes.Select(r => YarpConfigTranslator.ToRoute(r, source.Clusters[r.ClusterId])).ToList();
            RevisionId = source.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public GatewayConfig Source { get; }

        public IReadOnlyList<RouteConfig> Routes { get; }

        public IReadOnlyList<ClusterConfig> Clusters { get; }

        public IChangeToken ChangeToken { get; }

        public string RevisionId { get; }
    }
}

using Gateway.Access;
using Gateway.Tcp.Clusters;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp.Forwarding;

/// <summary>
/// Takes a connection whose TCP route is decided: checks the route's IP policy against the live access lists (a
/// refused client is closed, or sent to the fallback cluster), connects to a destination of the cluster, and runs
/// the tunnel. Every connection it handles ends in the <see cref="TcpConnectionLog"/>.
/// </summary>
internal sealed partial class TcpForwarder(
    TcpClusterRegistry clusters, TcpConnector connector, AccessState access, TcpConnectionLog connections, TimeProvider time, ILogger<TcpForwarder> logger)
{
    public async Task ForwardAsync(ConnectionContext connection, TcpConnectionInfo info, TcpRouteDefinition route)
    {
        info.Route = route.Id;
        var clusterId = route.ClusterId;
        info.Decision = TcpDecision.Forwarded;
        try
        {
            info.Access = route.Access is null ? AccessDecision.NoPolicy : route.Access.Allowed;
            if (route.Access is { } policy && !IsListed(connection, policy))
            {
                info.Access = policy.Refused;
                info.Reason = AccessReason.IpNotListed.Name();
                Log.Rejected(logger, route.Id, info.Client?.Address.ToString() ?? "-", info.Peer?.Address.ToString() ?? "-", policy.ListName,
                    policy.FallbackCluster is null ? "close" : "fallback to " + policy.FallbackCluster);
                if (policy.FallbackCluster is null)
                {
                    info.Decision = TcpDecision.Closed;
                    return;
                }

                info.Decision = TcpDecision.Fallback;
                clusterId = policy.FallbackCluster;
            }

            info.Cluster = clusterId;
            var cluster = clusters.Get(clusterId);
            var connected = cluster is null ? null : await connector.ConnectAsync(cluster, info, connection.ConnectionClosed);
            if (connected is null)
            {
                info.Decision = TcpDecision.Closed;
                info.Reason ??= "no-cluster";
                return;
            }

            try
            {
                await TcpTunnel.RunAsync(connection, connected.Socket, info, cluster!.Definition.IdleTimeout, time);
            }
            finally
            {
                connected.Destination.Release();
            }
        }
        finally
        {
            connections.Completed(info);
        }
    }

    private bool IsListed(ConnectionContext connection, TcpAccessPolicy policy)
    {
        var client = connection.Features.Get<ClientAddressFeature>();
        return client is not null && access.TryGetList(policy.ListName, out var list) && list.Contains(client.ClientKey, time.GetUtcNow().UtcTicks);
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpAccessRejected, LogLevel.Information,
            "Access refused on TCP route {Route} for client {Client} (peer {Peer}), list {List}: ip-not-listed; action {Action}.")]
        public static partial void Rejected(ILogger logger, string route, string client, string peer, string list, string action);
    }
}

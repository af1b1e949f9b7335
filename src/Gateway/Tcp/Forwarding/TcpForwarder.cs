using Gateway.Access;
using Gateway.Tcp.Clusters;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp.Forwarding;

/// <summary>
/// Takes a connection whose TCP route is decided: checks the route's IP policy against the live access lists (a
/// refused client is closed, or sent to the fallback cluster), connects to a destination of the cluster, and runs
/// the tunnel. Every connection it handles ends with one log line of its <see cref="TcpConnectionInfo"/>.
/// </summary>
internal sealed partial class TcpForwarder(
    TcpClusterRegistry clusters, TcpConnector connector, AccessState access, TimeProvider time, ILogger<TcpForwarder> logger)
{
    public async Task ForwardAsync(ConnectionContext connection, TcpConnectionInfo info, TcpRouteDefinition route)
    {
        info.Route = route.Id;
        var clusterId = route.ClusterId;
        info.Decision = TcpDecision.Forwarded;
        try
        {
            if (route.Access is { } policy && !IsListed(connection, policy))
            {
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
            Closed(info);
        }
    }

    /// <summary>Records and logs a connection that ends without being forwarded (no route, not TLS, timed out...).</summary>
    public void Closed(TcpConnectionInfo info, string reason)
    {
        info.Decision = TcpDecision.Closed;
        info.Reason = reason;
        Closed(info);
    }

    private void Closed(TcpConnectionInfo info)
    {
        info.Duration = time.GetElapsedTime(info.StartTimestamp);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ConnectionClosed(
                logger, info.Listener, info.Client?.ToString() ?? "-", info.Peer?.ToString() ?? "-", info.Sni ?? "-", info.Route ?? "-",
                info.Cluster ?? "-", info.Destination ?? "-", info.Decision.ToString().ToLowerInvariant(), info.Reason ?? info.Termination ?? "-",
                info.BytesFromClient, info.BytesToClient, (long)info.Duration.Value.TotalMilliseconds);
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

        [LoggerMessage(Observability.EventIds.TcpConnectionClosed, LogLevel.Debug,
            "TCP connection on {Listener} from {Client} (peer {Peer}) sni {Sni} route {Route} cluster {Cluster} destination {Destination}: {Decision} ({Reason}), {BytesIn} bytes in, {BytesOut} bytes out, {DurationMs} ms.")]
        public static partial void ConnectionClosed(
            ILogger logger, string listener, string client, string peer, string sni, string route, string cluster, string destination,
            string decision, string reason, long bytesIn, long bytesOut, long durationMs);
    }
}

using Gateway.Observability;

namespace Gateway.Tcp;

/// <summary>
/// Where every connection handled at layer 4 ends, whatever became of it (forwarded, refused, not TLS, no route, a
/// PROXY header refused): its <see cref="TcpConnectionInfo"/> is completed, counted
/// (<c>gateway_tcp_connections_total</c>), written as one access-log line, and as a debug log line.
/// </summary>
internal sealed partial class TcpConnectionLog(TimeProvider time, AccessLogWriter accessLog, GatewayMetrics metrics, ILogger<TcpConnectionLog> logger)
{
    /// <summary>Records a connection closed without being forwarded, and why.</summary>
    public void Closed(TcpConnectionInfo info, string reason)
    {
        info.Decision = TcpDecision.Closed;
        info.Reason = reason;
        Completed(info);
    }

    public void Completed(TcpConnectionInfo info)
    {
        var entry = info.Entry;
        if (entry.IsComplete)
        {
            return;
        }

        info.Duration = time.GetElapsedTime(info.StartTimestamp);
        AccessLogFields.OnTcpConnectionEnded(info, entry);
        entry.Complete();
        metrics.RequestCompleted(entry);
        accessLog.Write(entry);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ConnectionClosed(
                logger, info.Listener, info.Client?.ToString() ?? "-", info.Peer?.ToString() ?? "-", info.Sni ?? "-", info.Route ?? "-",
                info.Cluster ?? "-", info.Destination ?? "-", info.Decision.ToString().ToLowerInvariant(), info.Reason ?? info.Termination ?? "-",
                info.BytesFromClient, info.BytesToClient, (long)info.Duration.Value.TotalMilliseconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpConnectionClosed, LogLevel.Debug,
            "TCP connection on {Listener} from {Client} (peer {Peer}) sni {Sni} route {Route} cluster {Cluster} destination {Destination}: {Decision} ({Reason}), {BytesIn} bytes in, {BytesOut} bytes out, {DurationMs} ms.")]
        public static partial void ConnectionClosed(
            ILogger logger, string listener, string client, string peer, string sni, string route, string cluster, string destination,
            string decision, string reason, long bytesIn, long bytesOut, long durationMs);
    }
}

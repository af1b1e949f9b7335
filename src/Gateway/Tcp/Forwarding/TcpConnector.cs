using System.Net.Sockets;
using Gateway.Tcp.Clusters;
using Gateway.Tcp.ProxyProtocol;

namespace Gateway.Tcp.Forwarding;

/// <summary>A connected destination socket, counted against its destination until released.</summary>
internal sealed record TcpDestinationConnection(Socket Socket, TcpDestinationState Destination);

/// <summary>
/// Connects a client's tunnel to a destination of a cluster: the load balancer's choice first, then each other
/// healthy destination once (HAProxy's <c>retries</c> with <c>redispatch</c>), each within <c>Timeouts.Connect</c>,
/// and sends the PROXY header first when the cluster asks for one.
/// </summary>
internal sealed partial class TcpConnector(TimeProvider time, ILogger<TcpConnector> logger)
{
    /// <summary>A connected destination, or null (with the reason in <paramref name="info"/>) when none would take it.</summary>
    public async Task<TcpDestinationConnection?> ConnectAsync(TcpClusterState cluster, TcpConnectionInfo info, CancellationToken clientClosed)
    {
        var definition = cluster.Definition;
        List<TcpDestinationState>? tried = null;
        info.Entry.MarkConnecting();
        while (true)
        {
            var destination = cluster.Acquire(tried, out var reason);
            if (destination is null)
            {
                info.Reason = reason == NoDestinationReason.AllFull ? "destinations-full" : tried is null ? "destinations-down" : "connect-failed";
                Log.NoDestination(logger, definition.Id, info.Reason, info.Client?.ToString() ?? "-");
                return null;
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            string problem;
            try
            {
                // The connect timeout bounds the wait; a client that leaves meanwhile is noticed by the tunnel.
                using var deadline = new CancellationTokenSource(definition.ConnectTimeout, time);
                await socket.ConnectAsync(destination.Definition.EndPoint, deadline.Token);
                if (definition.SendProxy != ProxyVersion.None)
                {
                    var header = ProxyHeaderWriter.Write(definition.SendProxy, info.Client, info.Target, TlsFacts(info));
                    await socket.SendAsync(header, SocketFlags.None, deadline.Token);
                }

                info.Destination = destination.Definition.Name;
                info.DestinationAddress = socket.RemoteEndPoint;
                info.ConnectedAfter = time.GetElapsedTime(info.StartTimestamp);
                info.Entry.MarkConnected();
                return new TcpDestinationConnection(socket, destination);
            }
            catch (SocketException e)
            {
                problem = e.SocketErrorCode.ToString();
            }
            catch (OperationCanceledException)
            {
                problem = $"no connection within {Configuration.Duration.Format(definition.ConnectTimeout)}";
            }

            socket.Dispose();
            destination.Release();
            Log.ConnectFailed(logger, definition.Id, destination.Definition.Name, destination.Definition.Display, problem);
            if (clientClosed.IsCancellationRequested)
            {
                info.Reason = "client-left";
                return null;
            }

            (tried ??= []).Add(destination);
        }
    }

    /// <summary>What a v2 header can say about TLS: the SNI, and that the client spoke TLS; else what an inbound header said.</summary>
    private static ProxyTlsFacts TlsFacts(TcpConnectionInfo info) =>
        info.Tls ? new ProxyTlsFacts(info.Sni, true) : new ProxyTlsFacts(info.ProxyHeader?.Authority, info.ProxyHeader?.Ssl ?? false);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpConnectFailed, LogLevel.Warning, "Could not connect to TCP destination {Cluster}/{Destination} ({Address}): {Problem}.")]
        public static partial void ConnectFailed(ILogger logger, string cluster, string destination, string address, string problem);

        [LoggerMessage(Observability.EventIds.TcpNoDestination, LogLevel.Warning, "No destination of TCP cluster {Cluster} took the connection of {Client}: {Reason}.")]
        public static partial void NoDestination(ILogger logger, string cluster, string reason, string client);
    }
}

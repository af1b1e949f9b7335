using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tcp.Forwarding;
using Gateway.Tls;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp;

/// <summary>
/// The whole of a <c>tcp</c> listener (HAProxy's <c>mode tcp</c> frontend): when some route of the listener names
/// server names, the ClientHello is peeked (bounded by <c>Gateway:Tcp:InspectDelay</c>) and routes by its SNI;
/// everything else (no SNI route matched, not TLS, nothing sent in time, as an ssh client that waits for the server's
/// banner) goes to the route without names, or is closed when there is none. Nothing here speaks HTTP.
/// </summary>
internal sealed partial class TcpListenerMiddleware(
    ListenerDefinition listener, GatewayConfigManager config, TcpForwarder forwarder, TcpConnectionLog connections, TimeProvider time, ILogger<TcpListenerMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var info = TcpConnectionInfo.Of(connection, listener.Name, time);
        var tcp = config.Current.Tcp;
        var routes = tcp.RoutesOf(listener.Name);
        var route = routes?.Default;
        if (routes is { RoutesBySni: true })
        {
            var peek = await ClientHelloPeek.PeekAsync(connection.Transport.Input, tcp.InspectDelay, connection.ConnectionClosed);
            if (peek.Outcome == ClientHelloPeekOutcome.Closed)
            {
                connections.Closed(info, "client-left");
                return;
            }

            if (peek.Outcome == ClientHelloPeekOutcome.TimedOut)
            {
                Log.PeekTimedOut(logger, listener.Name, info.Client?.ToString() ?? "-", tcp.InspectDelay, route?.Id ?? "(none: closed)");
            }

            if (peek.Hello is { } hello)
            {
                info.Tls = true;
                info.Sni = hello.ServerName;
                route = routes.MatchSni(hello.ServerName) ?? route;
            }
        }

        if (route is null)
        {
            Log.NoRoute(logger, listener.Name, info.Client?.ToString() ?? "-", info.Sni ?? "(none)");
            connections.Closed(info, "no-route");
            return;
        }

        await forwarder.ForwardAsync(connection, info, route);
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpNoRoute, LogLevel.Debug, "No TCP route on listener {Listener} for {Client} (server name {ServerName}); closed.")]
        public static partial void NoRoute(ILogger logger, string listener, string client, string serverName);

        [LoggerMessage(Observability.EventIds.TcpPeekTimedOut, LogLevel.Debug, "No ClientHello on listener {Listener} from {Client} within {InspectDelay}; default route {Route}.")]
        public static partial void PeekTimedOut(ILogger logger, string listener, string client, TimeSpan inspectDelay, string route);
    }
}

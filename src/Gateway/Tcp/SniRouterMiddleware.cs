using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tcp.Forwarding;
using Gateway.Tls;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp;

/// <summary>
/// On an https listener, between the ClientHello peek and the TLS handshake: a ClientHello whose server name a TCP
/// route of the listener takes is passed through to that route's cluster untouched (the gateway never sees the
/// plaintext); any other ClientHello goes on to local termination and the HTTP pipeline. Bytes that are not TLS are
/// closed, or served as plain HTTP when the listener says <c>NonTls: http</c>; TLS that breaks the format (a record
/// longer than TLS allows, a ClientHello past 16 KiB) is closed at once rather than left to the handshake timeout.
/// </summary>
internal sealed partial class SniRouterMiddleware(
    ConnectionDelegate next, PlainHttpBranch plainHttp, ListenerDefinition listener, GatewayConfigManager config, TcpForwarder forwarder,
    TcpConnectionLog connections, TimeProvider time, ILogger<SniRouterMiddleware> logger)
{
    public Task OnConnectionAsync(ConnectionContext connection)
    {
        var peek = connection.Features.Get<ClientHelloFeature>();
        if (peek?.Status == ClientHelloStatus.NotTls)
        {
            return NotTlsAsync(connection);
        }

        if (peek?.Status == ClientHelloStatus.Invalid)
        {
            var broken = TcpConnectionInfo.Of(connection, listener.Name, time);
            Log.InvalidTlsRefused(logger, listener.Name, broken.Client?.ToString() ?? "-");
            connections.Closed(broken, "invalid-tls");
            return Task.CompletedTask;
        }

        var hello = peek?.Hello;
        var route = hello is null ? null : config.Current.Tcp.RoutesOf(listener.Name)?.MatchSni(hello.ServerName);
        if (route is null)
        {
            if (connection.Features.Get<TcpConnectionInfo>() is { } known)
            {
                known.Decision = TcpDecision.Terminated;
            }

            return next(connection);
        }

        var info = TcpConnectionInfo.Of(connection, listener.Name, time);
        info.Tls = true;
        info.Sni = hello!.ServerName;
        return forwarder.ForwardAsync(connection, info, route);
    }

    private Task NotTlsAsync(ConnectionContext connection)
    {
        var info = TcpConnectionInfo.Of(connection, listener.Name, time);
        if (listener.NonTls == NonTlsAction.Http && plainHttp.Next is { } http)
        {
            info.Decision = TcpDecision.PlainHttp;
            return http(connection);
        }

        Log.NotTlsRefused(logger, listener.Name, info.Client?.ToString() ?? "-");
        connections.Closed(info, "not-tls");
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpNotTlsRefused, LogLevel.Debug,
            "Closed a connection on https listener {Listener} from {Client}: its first bytes are not TLS (set NonTls: http to serve them as plain HTTP).")]
        public static partial void NotTlsRefused(ILogger logger, string listener, string client);

        [LoggerMessage(Observability.EventIds.TcpInvalidTlsRefused, LogLevel.Debug,
            "Closed a connection on https listener {Listener} from {Client}: its ClientHello breaks the TLS format or is larger than 16 KiB.")]
        public static partial void InvalidTlsRefused(ILogger logger, string listener, string client);
    }
}

/// <summary>
/// Where an https listener's non-TLS connections go when served as plain HTTP: the HTTP connection handler that
/// follows the TLS handshake in the listener's chain, captured when the chain is built (Kestrel builds it from the
/// end, so it is set before any connection arrives).
/// </summary>
internal sealed class PlainHttpBranch
{
    public ConnectionDelegate? Next { get; private set; }

    /// <summary>Connection middleware placed after the handshake: remembers what follows it, adds nothing.</summary>
    public ConnectionDelegate Capture(ConnectionDelegate next)
    {
        Next = next;
        return next;
    }
}

using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tcp.Forwarding;
using Gateway.Tcp.ProxyProtocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Tcp;

/// <summary>The layer-4 steps of a listener's connection chain.</summary>
internal static class TcpListenOptionsExtensions
{
    /// <summary>HAProxy's <c>accept-proxy</c>: a PROXY header from a trusted network first, or the connection is refused.</summary>
    public static ListenOptions UseProxyProtocol(this ListenOptions listen, ListenerDefinition listener, IServiceProvider services)
    {
        var config = services.GetRequiredService<GatewayConfigManager>();
        var connections = services.GetRequiredService<TcpConnectionLog>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<ProxyProtocolMiddleware>>();
        listen.Use(next => new ProxyProtocolMiddleware(next, listener, config, connections, time, logger).OnConnectionAsync);
        return listen;
    }

    /// <summary>A <c>tcp</c> listener: its connections go to TCP routes and never reach HTTP.</summary>
    public static ListenOptions UseTcpRoutes(this ListenOptions listen, ListenerDefinition listener, IServiceProvider services)
    {
        var middleware = ActivatorUtilities.CreateInstance<TcpListenerMiddleware>(services, listener);
        listen.Use(_ => middleware.OnConnectionAsync);
        return listen;
    }

    /// <summary>
    /// On an https listener, after the ClientHello peek: SNI passthrough and non-TLS handling. Returns the plain-HTTP
    /// branch, whose <see cref="PlainHttpBranch.Capture"/> goes right after the TLS handshake.
    /// </summary>
    public static PlainHttpBranch UseSniRouting(this ListenOptions listen, ListenerDefinition listener, IServiceProvider services)
    {
        var branch = new PlainHttpBranch();
        var config = services.GetRequiredService<GatewayConfigManager>();
        var forwarder = services.GetRequiredService<TcpForwarder>();
        var connections = services.GetRequiredService<TcpConnectionLog>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<SniRouterMiddleware>>();
        listen.Use(next => new SniRouterMiddleware(next, branch, listener, config, forwarder, connections, time, logger).OnConnectionAsync);
        return branch;
    }
}

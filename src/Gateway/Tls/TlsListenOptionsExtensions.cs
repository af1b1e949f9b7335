using Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gateway.Tls;

internal static class TlsListenOptionsExtensions
{
    /// <summary>
    /// Peeks at the ClientHello of every connection (for SNI routing and tls-alpn-01), consuming nothing; a client
    /// that sends nothing within the handshake timeout is disconnected.
    /// </summary>
    public static ListenOptions UseClientHelloPeek(this ListenOptions listen, IServiceProvider services)
    {
        var timeout = services.GetRequiredService<GatewayConfigManager>().Current.Tls.HandshakeTimeout;
        var logger = services.GetRequiredService<ILogger<ClientHelloMiddleware>>();
        listen.Use(next => new ClientHelloMiddleware(next, timeout, logger).OnConnectionAsync);
        return listen;
    }

    /// <summary>
    /// Terminates TLS: each handshake gets its certificate from the <see cref="TlsHandshakeSelector"/>. ALPN follows
    /// the listener's HTTP protocols.
    /// </summary>
    public static ListenOptions UseTlsHandshake(this ListenOptions listen, IServiceProvider services)
    {
        var timeout = services.GetRequiredService<GatewayConfigManager>().Current.Tls.HandshakeTimeout;
        var selector = services.GetRequiredService<TlsHandshakeSelector>();
        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = selector.SelectAsync, HandshakeTimeout = timeout });
        return listen;
    }
}

using Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gateway.Tls;

internal static class TlsListenOptionsExtensions
{
    /// <summary>
    /// Makes a listener terminate TLS: the ClientHello is peeked first (for tls-alpn-01), then each handshake gets its
    /// certificate from the <see cref="TlsHandshakeSelector"/>. ALPN follows the listener's HTTP protocols.
    /// </summary>
    public static ListenOptions UseGatewayTls(this ListenOptions listen, IServiceProvider services)
    {
        var timeout = services.GetRequiredService<GatewayConfigManager>().Current.Tls.HandshakeTimeout;
        var selector = services.GetRequiredService<TlsHandshakeSelector>();
        var logger = services.GetRequiredService<ILogger<ClientHelloMiddleware>>();
        listen.Use(next => new ClientHelloMiddleware(next, timeout, logger).OnConnectionAsync);
        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = selector.SelectAsync, HandshakeTimeout = timeout });
        return listen;
    }
}

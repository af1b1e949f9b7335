using System.Net;
using Gateway.Access;
using Gateway.Configuration;
using Gateway.Tcp;
using Gateway.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>Binds every configured listener on Kestrel and tags its connections with a <see cref="ListenerFeature"/>.</summary>
internal static class KestrelListeners
{
    public static void Configure(KestrelServerOptions kestrel, GatewayConfig config, ListenerRegistry registry)
    {
        kestrel.AddServerHeader = false;
        // Like HAProxy, the proxy does not cap request bodies; a route's application decides what it accepts.
        kestrel.Limits.MaxRequestBodySize = null;

        foreach (var listener in config.AllListeners)
        {
            Bind(kestrel, listener, registry);
        }
    }

    private static void Bind(KestrelServerOptions kestrel, ListenerDefinition listener, ListenerRegistry registry)
    {
        var https = listener.Protocol == "https";
        var feature = new ListenerFeature(listener);
        var services = kestrel.ApplicationServices;
        void Setup(ListenOptions options)
        {
            // Without TLS there is no ALPN to choose the protocol, so a cleartext listener speaks one: HTTP/1.1, or
            // HTTP/2 with prior knowledge (HAProxy's "proto h2"). With TLS, ALPN offers h2 and http/1.1.
            options.Protocols = https ? HttpProtocols.Http1AndHttp2 : listener.Protocol == "h2c" ? HttpProtocols.Http2 : HttpProtocols.Http1;
            options.Use(next => connection =>
            {
                connection.Features.Set(feature);
                // The socket peer as client, once per connection; a trusted proxy's header overrides it per request.
                connection.Features.Set(ClientAddressFeature.Direct((connection.RemoteEndPoint as IPEndPoint)?.Address));
                return next(connection);
            });
            if (listener.AcceptProxy)
            {
                // The PROXY header comes before anything else the client sends, and names the client for every layer.
                options.UseProxyProtocol(listener, services);
            }

            if (listener.Protocol == "tcp")
            {
                options.UseTcpRoutes(listener, services);
            }
            else if (https)
            {
                options.UseClientHelloPeek(services);
                var plainHttp = options.UseSniRouting(listener, services);
                options.UseTlsHandshake(services);
                options.Use(plainHttp.Capture);
            }

            registry.Add(listener.Name, options);
        }

        if (listener.Localhost)
        {
            kestrel.Listen(IPAddress.Loopback, listener.Port, Setup);
            kestrel.Listen(IPAddress.IPv6Loopback, listener.Port, Setup);
        }
        else if (listener.Address is null)
        {
            kestrel.ListenAnyIP(listener.Port, Setup);
        }
        else
        {
            kestrel.Listen(listener.Address, listener.Port, Setup);
        }
    }
}

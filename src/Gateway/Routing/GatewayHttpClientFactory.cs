using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gateway.Observability;
using Gateway.Tls;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Routing;

/// <summary>
/// YARP's HttpClient factory plus what HAProxy users expect from a backend: a connect timeout, a private CA
/// (<c>ca-file</c>), and an SNI that differs from the Host header (<c>sni</c>). Observability times each trip to a
/// destination (the access log's Tw/Tc/Tr) and counts it in the host's metrics.
/// </summary>
internal sealed class GatewayHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, IMeterFactory meterFactory) : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        ForwarderTimings.Instrument(base.WrapHandler(context, handler), meterFactory);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var metadata = context.NewMetadata;
        if (metadata is null)
        {
            return;
        }

        if (metadata.TryGetValue(YarpConfigTranslator.ConnectTimeoutKey, out var ms) &&
            long.TryParse(ms, CultureInfo.InvariantCulture, out var connectMs))
        {
            handler.ConnectTimeout = TimeSpan.FromMilliseconds(connectMs);
        }

        var verify = !metadata.TryGetValue(YarpConfigTranslator.VerifyKey, out var v) || v != "false";
        RemoteCertificateValidationCallback? validate = null;
        if (verify && metadata.TryGetValue(YarpConfigTranslator.CaFileKey, out var caFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            validate = (_, certificate, _, errors) => CustomRoots.Validate(roots, certificate, errors);
            handler.SslOptions.RemoteCertificateValidationCallback = validate;
        }

        if (metadata.TryGetValue(YarpConfigTranslator.SniKey, out var sni))
        {
            // HttpClient takes SNI from the Host header; a different SNI needs the TLS handshake done here.
            var checkCertificate = verify ? validate : (_, _, _, _) => true;
            handler.ConnectCallback = (connect, cancellation) => ConnectWithSniAsync(connect, sni, checkCertificate, cancellation);
        }
    }

    private static async ValueTask<Stream> ConnectWithSniAsync(
        SocketsHttpConnectionContext connect, string sni, RemoteCertificateValidationCallback? validate, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(connect.DnsEndPoint, cancellation).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            if (connect.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps)
            {
                return network;
            }

            var tls = new SslStream(network, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = sni,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = validate,
                },
                cancellation).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

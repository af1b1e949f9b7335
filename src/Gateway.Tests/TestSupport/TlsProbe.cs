using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tests.TestSupport;

/// <summary>What a TLS client saw: the server's certificate, whether its chain validated, and what was negotiated.</summary>
public sealed record TlsResult(X509Certificate2 Certificate, bool ChainValid, string Alpn, SslProtocols Protocol);

/// <summary>A real TLS client against a gateway listener on loopback, sending any SNI.</summary>
public static class TlsProbe
{
    /// <summary>
    /// Completes a handshake with <paramref name="sni"/> on 127.0.0.1:<paramref name="port"/>. The chain is validated
    /// against <paramref name="root"/> alone (so intermediates must come from the server); the handshake succeeds
    /// either way and <see cref="TlsResult.ChainValid"/> says whether it validated.
    /// </summary>
    public static Task<TlsResult> HandshakeAsync(
        int port, string? sni, X509Certificate2? root = null, SslProtocols protocols = SslProtocols.None, params string[] alpn) =>
        HandshakeAsync(new IPEndPoint(IPAddress.Loopback, port), sni, root, protocols, alpn);

    /// <summary>The same, against another loopback address (a second gateway on 127.0.0.2, say).</summary>
    public static async Task<TlsResult> HandshakeAsync(
        IPEndPoint endpoint, string? sni, X509Certificate2? root = null, SslProtocols protocols = SslProtocols.None, params string[] alpn)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        await using var tls = new SslStream(client.GetStream());
        var valid = false;
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? string.Empty,
            EnabledSslProtocols = protocols,
            ApplicationProtocols = alpn.Length == 0 ? null : alpn.Select(a => new SslApplicationProtocol(a)).ToList(),
            CertificateChainPolicy = ChainPolicy(root),
            RemoteCertificateValidationCallback = (_, _, _, errors) =>
            {
                valid = root is not null && errors == SslPolicyErrors.None;
                return true;
            },
        });
        var certificate = X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
        return new TlsResult(certificate, valid, tls.NegotiatedApplicationProtocol.ToString(), tls.SslProtocol);
    }

    /// <summary>An HttpClient whose every connection goes to 127.0.0.1:<paramref name="port"/>, trusting only <paramref name="root"/>.</summary>
    public static HttpClient Client(int port, X509Certificate2? root, bool acceptAny = false)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        handler.SslOptions.CertificateChainPolicy = ChainPolicy(root);
        if (acceptAny)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static X509ChainPolicy? ChainPolicy(X509Certificate2? root)
    {
        if (root is null)
        {
            return null;
        }

        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(root);
        return policy;
    }
}

using System.Net.Security;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Tls.Acme;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gateway.Tls;

/// <summary>
/// Chooses, per handshake, what a TLS listener presents: the tls-alpn-01 challenge certificate to an ACME validator
/// (only when it offers <c>acme-tls/1</c>, so ordinary clients never see one), otherwise the certificate for the SNI
/// from the <see cref="CertificateStore"/>; with strict SNI and no match, the handshake is refused.
/// </summary>
internal sealed partial class TlsHandshakeSelector(
    CertificateStore store, AcmeChallengeResponder challenges, GatewayConfigManager config, ILogger<TlsHandshakeSelector> logger)
{
    private static readonly List<SslApplicationProtocol> AcmeTls = [new(AcmeChallengeResponder.AcmeTlsProtocol)];

    public ValueTask<SslServerAuthenticationOptions> SelectAsync(TlsHandshakeCallbackContext context)
    {
        var serverName = context.ClientHelloInfo.ServerName;
        var settings = config.Current.Tls;
        var hello = context.Connection.Features.Get<ClientHelloFeature>()?.Hello;
        if (hello is not null && hello.Offers(AcmeChallengeResponder.AcmeTlsProtocol))
        {
            return SelectChallengeAsync(serverName, context.CancellationToken);
        }

        var certificate = store.Current.Select(serverName, settings.StrictSni);
        if (certificate is null)
        {
            Log.NoCertificate(logger, serverName ?? "(none)", context.Connection.RemoteEndPoint?.ToString() ?? "unknown");
            throw new AuthenticationException($"No certificate for the server name '{serverName}'.");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate.Context,
            EnabledSslProtocols = settings.Protocols,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        });
    }

    private async ValueTask<SslServerAuthenticationOptions> SelectChallengeAsync(string? serverName, CancellationToken cancellation)
    {
        var challenge = await challenges.FindTlsAlpn01Async(serverName, cancellation);
        if (challenge is null)
        {
            Log.NoChallenge(logger, serverName ?? "(none)");
            throw new AuthenticationException($"No tls-alpn-01 challenge is pending for '{serverName}'.");
        }

        Log.ChallengeServed(logger, serverName!);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = challenge.Context,
            ApplicationProtocols = AcmeTls,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.NoCertificateForSni, LogLevel.Debug, "Refused a TLS handshake from {Peer}: no certificate for the server name {ServerName}.")]
        public static partial void NoCertificate(ILogger logger, string serverName, string peer);

        [LoggerMessage(Observability.EventIds.AcmeTlsAlpnServed, LogLevel.Debug, "Answered a tls-alpn-01 validation for {ServerName}.")]
        public static partial void ChallengeServed(ILogger logger, string serverName);

        [LoggerMessage(Observability.EventIds.AcmeTlsAlpnUnknown, LogLevel.Warning, "Refused an acme-tls/1 handshake for {ServerName}: no such challenge is pending.")]
        public static partial void NoChallenge(ILogger logger, string serverName);
    }
}

using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Tls.Acme;

/// <summary>
/// The challenges being validated right now: http-01 tokens with their key authorizations, and tls-alpn-01
/// certificates by host name. Only what the ACME client put here is ever answered; each entry is removed when its
/// challenge is over.
/// </summary>
internal sealed class AcmeChallengeResponder
{
    public const string AcmeTlsProtocol = "acme-tls/1";

    // RFC 8737 3: id-pe-acmeIdentifier.
    private const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    private readonly ConcurrentDictionary<string, string> _http01 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServerCertificate> _tlsAlpn01 = new(StringComparer.OrdinalIgnoreCase);

    public IDisposable AddHttp01(string token, string keyAuthorization)
    {
        _http01[token] = keyAuthorization;
        return new Removal(() => _http01.TryRemove(token, out _));
    }

    public IDisposable AddTlsAlpn01(string name, string keyAuthorization)
    {
        _tlsAlpn01[name] = CreateTlsAlpnCertificate(name, keyAuthorization);
        return new Removal(() => _tlsAlpn01.TryRemove(name, out _));
    }

    public bool TryGetHttp01(string token, out string keyAuthorization) => _http01.TryGetValue(token, out keyAuthorization!);

    public ServerCertificate? TlsAlpn01(string? name) =>
        name is not null && _tlsAlpn01.TryGetValue(name, out var certificate) ? certificate : null;

    /// <summary>
    /// RFC 8737 3: self-signed, the identifier as its only name, and a critical acmeIdentifier extension holding the
    /// SHA-256 of the key authorization as a DER OCTET STRING.
    /// </summary>
    public static ServerCertificate CreateTlsAlpnCertificate(string name, string keyAuthorization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)));
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, writer.Encode(), critical: true));
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return ServerCertificate.Create(certificate, null, "tls-alpn-01 challenge");
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}

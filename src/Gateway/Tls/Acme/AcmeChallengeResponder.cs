using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Tls.Acme;

/// <summary>
/// The challenges being validated right now: http-01 tokens with their key authorizations, and tls-alpn-01
/// certificates by host name. Only what the ACME client put here is ever answered; each entry is removed when its
/// challenge is over. With replicas (<see cref="ISharedAcmeChallenges"/>), what one replica is validating is published
/// to all, and a validation that reaches another replica is answered from there.
/// </summary>
internal sealed class AcmeChallengeResponder(ISharedAcmeChallenges? shared = null)
{
    public const string AcmeTlsProtocol = "acme-tls/1";

    private const string Http01 = "http-01";
    private const string TlsAlpn01Kind = "tls-alpn-01";

    // RFC 8737 3: id-pe-acmeIdentifier.
    private const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    private readonly ConcurrentDictionary<string, string> _http01 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServerCertificate> _tlsAlpn01 = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (string KeyAuthorization, ServerCertificate Certificate)> _sharedTlsAlpn01 = new(StringComparer.OrdinalIgnoreCase);

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

    /// <summary>Answers <paramref name="token"/> here and, with replicas, on every replica, until disposed.</summary>
    public Task<IAsyncDisposable> AddHttp01Async(string token, string keyAuthorization, CancellationToken cancellation) =>
        PublishAsync(AddHttp01(token, keyAuthorization), Http01, token, keyAuthorization, cancellation);

    /// <summary>Presents the validation certificate for <paramref name="name"/> here and, with replicas, on every replica.</summary>
    public Task<IAsyncDisposable> AddTlsAlpn01Async(string name, string keyAuthorization, CancellationToken cancellation) =>
        PublishAsync(AddTlsAlpn01(name, keyAuthorization), TlsAlpn01Kind, name.ToLowerInvariant(), keyAuthorization, cancellation);

    public bool TryGetHttp01(string token, out string keyAuthorization) => _http01.TryGetValue(token, out keyAuthorization!);

    /// <summary>The key authorization for <paramref name="token"/>: validated here, or (with replicas) on another replica.</summary>
    public async ValueTask<string?> FindHttp01Async(string token, CancellationToken cancellation)
    {
        if (_http01.TryGetValue(token, out var keyAuthorization))
        {
            return keyAuthorization;
        }

        // Only well-formed tokens (base64url, RFC 8555 8.1) are looked up, so junk on the path costs no query.
        return shared is not null && token.Length is >= 16 and <= 128 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? await shared.FindAsync(Http01, token, cancellation)
            : null;
    }

    public ServerCertificate? TlsAlpn01(string? name) =>
        name is not null && _tlsAlpn01.TryGetValue(name, out var certificate) ? certificate : null;

    /// <summary>The tls-alpn-01 certificate for <paramref name="name"/>: validated here, or (with replicas) on another replica.</summary>
    public async ValueTask<ServerCertificate?> FindTlsAlpn01Async(string? name, CancellationToken cancellation)
    {
        if (name is null)
        {
            return null;
        }

        if (TlsAlpn01(name) is { } local)
        {
            return local;
        }

        if (shared is null || await shared.FindAsync(TlsAlpn01Kind, name.ToLowerInvariant(), cancellation) is not { } keyAuthorization)
        {
            return null;
        }

        // The authority validates several times; build the certificate once per key authorization.
        if (_sharedTlsAlpn01.TryGetValue(name, out var cached) && cached.KeyAuthorization == keyAuthorization)
        {
            return cached.Certificate;
        }

        var certificate = CreateTlsAlpnCertificate(name, keyAuthorization);
        _sharedTlsAlpn01[name] = (keyAuthorization, certificate);
        return certificate;
    }

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

    private async Task<IAsyncDisposable> PublishAsync(IDisposable local, string kind, string key, string keyAuthorization, CancellationToken cancellation)
    {
        if (shared is null)
        {
            return new Published(local, null);
        }

        try
        {
            return new Published(local, await shared.PublishAsync(kind, key, keyAuthorization, cancellation));
        }
        catch
        {
            local.Dispose();
            throw;
        }
    }

    private sealed class Published(IDisposable local, IAsyncDisposable? shared) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            local.Dispose();
            if (shared is not null)
            {
                await shared.DisposeAsync();
            }
        }
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}

using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls;

/// <summary>
/// The embedded default's certificate: generated on first start, kept in the state directory
/// (<c>tls/self-signed.pem</c>, key 0600), and reused until it nears expiry or its names change.
/// </summary>
internal static class SelfSignedCertificate
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(397);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public static (ServerCertificate Certificate, bool Created) LoadOrCreate(string stateDirectory, ImmutableArray<string> hosts, TimeProvider time)
    {
        var certificatePath = Path.Combine(stateDirectory, "tls", "self-signed.pem");
        var keyPath = Path.Combine(stateDirectory, "tls", "self-signed.key");
        var now = time.GetUtcNow();

        var keyPem = PrivateFile.Read(keyPath);
        if (keyPem is not null && File.Exists(certificatePath))
        {
            try
            {
                var existing = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath), keyPem);
                var names = ServerCertificate.NamesOf(existing);
                if (existing.NotAfter.ToUniversalTime() - RenewBefore > now && hosts.Where(h => !IPAddress.TryParse(h, out _)).All(names.Contains))
                {
                    return (ServerCertificate.Create(existing, null, "self-signed " + certificatePath), false);
                }
            }
            catch (CryptographicException)
            {
                // Unreadable or mismatched: generate a new one below.
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Gateway self-signed (" + Environment.MachineName + ")", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);

        PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, created.ExportCertificatePem());
        var loaded = X509Certificate2.CreateFromPem(created.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        return (ServerCertificate.Create(loaded, null, "self-signed " + certificatePath), true);
    }
}

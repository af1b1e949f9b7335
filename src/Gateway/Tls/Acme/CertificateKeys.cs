using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls.Acme;

/// <summary>The certificate's own key and CSR, and the checks an issued chain must pass before it is served.</summary>
internal static class CertificateKeys
{
    /// <summary>A new key of <paramref name="keyType"/> and a CSR (DER) for <paramref name="names"/>, all in subjectAltName.</summary>
    public static (string KeyPem, byte[] Csr) CreateSigningRequest(string keyType, IReadOnlyList<string> names)
    {
        // The CN is optional for ACME; it only fits names up to 64 characters.
        var subject = new X500DistinguishedName(names[0].Length <= 64 ? "CN=" + names[0] : string.Empty);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        using AsymmetricAlgorithm key = keyType switch
        {
            "ec-p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            "rsa-2048" => RSA.Create(2048),
            "rsa-3072" => RSA.Create(3072),
            "rsa-4096" => RSA.Create(4096),
            _ => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        };
        var request = key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, keyType == "ec-p384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
        request.CertificateExtensions.Add(san.Build());
        return (key.ExportPkcs8PrivateKeyPem(), request.CreateSigningRequest());
    }

    /// <summary>
    /// Null when <paramref name="chainPem"/> is a chain for <paramref name="request"/>: leaf first, holding the public
    /// half of <paramref name="keyPem"/> and every requested name, currently valid, and leading through the
    /// intermediates it carries to a trusted root (the system's, or those in <paramref name="issuerCaFile"/>).
    /// </summary>
    public static string? CheckChain(string chainPem, string keyPem, AcmeCertificateRequest request, string? issuerCaFile, DateTimeOffset now)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(chainPem);
        }
        catch (CryptographicException e)
        {
            return "the chain is not PEM: " + e.Message;
        }

        if (certificates.Count == 0)
        {
            return "the response holds no certificate";
        }

        var leaf = certificates[0];
        using (var key = ImportKey(keyPem))
        {
            if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                return "the leaf certificate is not for the key of the CSR";
            }
        }

        var names = ServerCertificate.NamesOf(leaf);
        if (request.Names.FirstOrDefault(n => !names.Contains(n)) is { } missing)
        {
            return $"the certificate does not name {missing}";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ExtraStore.AddRange(certificates.Skip(1).ToArray());
        if (issuerCaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(issuerCaFile);
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (!chain.Build(leaf))
        {
            return "the chain does not lead to a trusted root: " +
                string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        }

        return null;
    }

    private static AsymmetricAlgorithm ImportKey(string pem)
    {
        if (pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(pem);
                return ec;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                ec.Dispose();
            }
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }
}

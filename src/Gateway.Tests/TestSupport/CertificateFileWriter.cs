using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tests.TestSupport;

/// <summary>Writes certificates as operators hand them to HAProxy: PEM with chain and key, separate key files, PFX.</summary>
public static class CertificateFileWriter
{
    /// <summary>Certificate, then <paramref name="chain"/>, then (unless <paramref name="keyPath"/> is given) the key, in one PEM file.</summary>
    public static void WritePem(X509Certificate2 certificate, string path, X509Certificate2? chain = null, string? keyPath = null)
    {
        var text = certificate.ExportCertificatePem() + "\n" + (chain is null ? string.Empty : chain.ExportCertificatePem() + "\n");
        var key = KeyPem(certificate);
        if (keyPath is null)
        {
            text += key + "\n";
        }
        else
        {
            File.WriteAllText(keyPath, key + "\n");
        }

        File.WriteAllText(path, text);
    }

    public static void WritePfx(X509Certificate2 certificate, string path, string? password) =>
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));

    public static string KeyPem(X509Certificate2 certificate) =>
        (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() is { } ec ? ec.ExportPkcs8PrivateKeyPem() : certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();
}

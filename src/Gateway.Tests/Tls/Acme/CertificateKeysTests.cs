using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tests.TestSupport;
using Gateway.Tls.Acme;

namespace Gateway.Tests.Tls.Acme;

/// <summary>The CSR sent to finalize, and the checks an issued chain passes before it is stored or served.</summary>
public sealed class CertificateKeysTests : IDisposable
{
    private static readonly AcmeCertificateRequest Request = new("a.example.com", ["a.example.com", "b.example.com"]);
    private readonly TestCertificates _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-chain-").FullName;

    [Theory]
    [InlineData("ec-p256", "ECDSA")]
    [InlineData("ec-p384", "ECDSA")]
    [InlineData("rsa-2048", "RSA")]
    public void CreateSigningRequest_NamesEveryHostInSubjectAltName(string keyType, string algorithm)
    {
        var (keyPem, csr) = CertificateKeys.CreateSigningRequest(keyType, Request.Names);

        var loaded = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var san = loaded.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(Request.Names, san.EnumerateDnsNames().ToArray());
        Assert.Equal("CN=a.example.com", loaded.SubjectName.Name);
        Assert.Contains(algorithm == "RSA" ? "1.2.840.113549.1.1.1" : "1.2.840.10045.2.1", loaded.PublicKey.Oid.Value!, StringComparison.Ordinal);
        Assert.Contains("PRIVATE KEY", keyPem, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckChain_LeafKeyNamesAndTrustRight_Passes()
    {
        using var leaf = _ca.Issue("a.example.com", "b.example.com");

        Assert.Null(CertificateKeys.CheckChain(Chain(leaf), CertificateFileWriter.KeyPem(leaf), Request, CaFile(_ca.Ca), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void CheckChain_LeafOfAnotherKey_IsRejected()
    {
        using var leaf = _ca.Issue("a.example.com", "b.example.com");
        using var other = _ca.Issue("a.example.com", "b.example.com");

        Assert.Equal("the leaf certificate is not for the key of the CSR", CertificateKeys.CheckChain(Chain(leaf), CertificateFileWriter.KeyPem(other), Request, CaFile(_ca.Ca), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void CheckChain_NameMissing_IsRejected()
    {
        using var leaf = _ca.Issue("a.example.com");

        Assert.Equal("the certificate does not name b.example.com", CertificateKeys.CheckChain(Chain(leaf), CertificateFileWriter.KeyPem(leaf), Request, CaFile(_ca.Ca), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void CheckChain_UntrustedRoot_IsRejected()
    {
        using var leaf = _ca.Issue("a.example.com", "b.example.com");
        using var stranger = new TestCertificates();

        var problem = CertificateKeys.CheckChain(Chain(leaf), CertificateFileWriter.KeyPem(leaf), Request, CaFile(stranger.Ca), DateTimeOffset.UtcNow);

        Assert.StartsWith("the chain does not lead to a trusted root: ", problem, StringComparison.Ordinal);
    }

    private string Chain(X509Certificate2 leaf) => leaf.ExportCertificatePem() + "\n" + _ca.Ca.ExportCertificatePem() + "\n";

    private string CaFile(X509Certificate2 ca)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

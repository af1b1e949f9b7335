using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Tls.Acme;

/// <summary>
/// The ACME account's ES256 (P-256) key: its public JWK, its RFC 7638 thumbprint (used in every key authorization),
/// and JWS signatures in the r‖s form JWS wants.
/// </summary>
internal sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AccountKey(ECDsa key)
    {
        _key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        // RFC 7638: the required members only, in lexicographic order, no whitespace; P-256 coordinates are 32 bytes.
        Jwk = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(parameters.Q.X)}}","y":"{{Base64Url.EncodeToString(parameters.Q.Y)}}"}""";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk)));
    }

    /// <summary>The public key as a JWK, in thumbprint form (also a valid JWK to send).</summary>
    public string Jwk { get; }

    public string Thumbprint { get; }

    public static AccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException("The ACME account key is not a P-256 key.");
        }

        return new AccountKey(key);
    }

    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>ES256 over <paramref name="data"/>: 64 bytes, r then s (not DER).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>RFC 8555 8.1: the token and the account key's thumbprint.</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    public void Dispose() => _key.Dispose();
}

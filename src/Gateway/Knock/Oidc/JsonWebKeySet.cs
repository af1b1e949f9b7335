using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace Gateway.Knock;

/// <summary>
/// A provider's signing keys (its <c>jwks_uri</c> document), as far as id_tokens may be signed with them: RSA keys of
/// at least 2048 bits for RS256 and P-256 keys for ES256. Encryption keys and other kinds are left out.
/// </summary>
internal sealed record JsonWebKeySet(ImmutableArray<SigningKey> Keys)
{
    public static readonly JsonWebKeySet Empty = new([]);

    /// <summary>Reads a JWKS document; keys that cannot sign id_tokens are skipped, not errors.</summary>
    public static JsonWebKeySet Parse(JsonElement document)
    {
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("the key set has no \"keys\" array");
        }

        var result = ImmutableArray.CreateBuilder<SigningKey>();
        foreach (var key in keys.EnumerateArray())
        {
            if (SigningKey.TryRead(key) is { } signing)
            {
                result.Add(signing);
            }
        }

        return new JsonWebKeySet(result.ToImmutable());
    }
}

/// <summary>One verification key: RSA (RS256) or EC P-256 (ES256), with its id and the algorithm it is limited to.</summary>
internal sealed record SigningKey(string? KeyId, string? Algorithm, RSAParameters? Rsa, ECParameters? EC)
{
    public bool Fits(string algorithm) =>
        (Algorithm is null || Algorithm == algorithm) &&
        (algorithm == "RS256" ? Rsa is not null : algorithm == "ES256" && EC is not null);

    /// <summary>Checks a JWS signature over <paramref name="data"/> (the ASCII header.payload).</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            if (algorithm == "RS256" && Rsa is { } rsaParameters)
            {
                using var rsa = RSA.Create(rsaParameters);
                return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }

            if (algorithm == "ES256" && EC is { } ecParameters && signature.Length == 64)
            {
                using var ecdsa = ECDsa.Create(ecParameters);
                return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }
        catch (CryptographicException)
        {
        }

        return false;
    }

    public static SigningKey? TryRead(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object || (Text(key, "use") is { } use && use != "sig"))
        {
            return null;
        }

        var kid = Text(key, "kid");
        var alg = Text(key, "alg");
        try
        {
            switch (Text(key, "kty"))
            {
                case "RSA" when alg is null or "RS256":
                    var modulus = Bytes(key, "n");
                    var exponent = Bytes(key, "e");
                    if (modulus is null || exponent is null || modulus.AsSpan().TrimStart((byte)0).Length * 8 < 2048)
                    {
                        return null;
                    }

                    return new SigningKey(kid, alg, new RSAParameters { Modulus = modulus, Exponent = exponent }, null);
                case "EC" when alg is null or "ES256":
                    var x = Bytes(key, "x");
                    var y = Bytes(key, "y");
                    if (Text(key, "crv") != "P-256" || x?.Length != 32 || y?.Length != 32)
                    {
                        return null;
                    }

                    var ec = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } };
                    ec.Validate();
                    return new SigningKey(kid, alg, null, ec);
                default:
                    return null;
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement key, string name) =>
        key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement key, string name) => Text(key, name) is { } text ? Base64Url.DecodeFromChars(text) : null;
}

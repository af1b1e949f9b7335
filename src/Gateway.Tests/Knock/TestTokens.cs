using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Knock;

namespace Gateway.Tests.Knock;

/// <summary>A provider's keys made in the test: id_tokens signed (or mis-signed) at will, and the JWKS that goes with them.</summary>
internal sealed class TestTokens : IDisposable
{
    public const string Issuer = "https://login.example.test";
    public const string ClientId = "gateway";
    public const string Nonce = "n-0S6_WzA2Mj";

    public static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa EC { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public JsonWebKeySet Keys => JsonWebKeySet.Parse(JsonDocument.Parse(Jwks().ToJsonString()).RootElement);

    public JsonObject Jwks()
    {
        var rsa = Rsa.ExportParameters(false);
        var ec = EC.ExportParameters(false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["kty"] = "RSA", ["kid"] = "rs", ["use"] = "sig", ["alg"] = "RS256", ["n"] = B64(rsa.Modulus!), ["e"] = B64(rsa.Exponent!) },
                new JsonObject { ["kty"] = "EC", ["kid"] = "ec", ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["x"] = B64(ec.Q.X!), ["y"] = B64(ec.Q.Y!) }),
        };
    }

    /// <summary>The claims a good id_token for <see cref="ClientId"/> carries at <see cref="Now"/>.</summary>
    public static JsonObject Claims(string sub = "alice") => new()
    {
        ["iss"] = Issuer,
        ["sub"] = sub,
        ["aud"] = ClientId,
        ["exp"] = Now.AddMinutes(5).ToUnixTimeSeconds(),
        ["iat"] = Now.AddSeconds(-5).ToUnixTimeSeconds(),
        ["nonce"] = Nonce,
        ["preferred_username"] = sub,
        ["email"] = sub + "@example.test",
        ["groups"] = new JsonArray("engineering"),
    };

    public string Sign(JsonObject claims, string alg = "RS256", string? kid = null)
    {
        var header = new JsonObject { ["alg"] = alg, ["typ"] = "JWT" };
        if (kid is not null || alg is "RS256" or "ES256")
        {
            header["kid"] = kid ?? (alg == "RS256" ? "rs" : "ec");
        }

        var signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg switch
        {
            "RS256" => Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "ES256" => EC.SignData(data, HashAlgorithmName.SHA256),
            _ => [],
        };
        return signingInput + "." + B64(signature);
    }

    /// <summary>The same token with another header (alg none, HMAC...), signature as given.</summary>
    public static string WithHeader(string token, JsonObject header, byte[] signature)
    {
        var parts = token.Split('.');
        var headerPart = B64(Encoding.UTF8.GetBytes(header.ToJsonString()));
        return headerPart + "." + parts[1] + "." + B64(signature);
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public void Dispose()
    {
        Rsa.Dispose();
        EC.Dispose();
    }
}

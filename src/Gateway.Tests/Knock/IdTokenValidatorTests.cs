using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Knock;

namespace Gateway.Tests.Knock;

/// <summary>id_token validation with tokens signed here: what a provider sends is accepted, everything else refused.</summary>
public sealed class IdTokenValidatorTests : IDisposable
{
    private static readonly IdTokenExpectations Expected = new(TestTokens.Issuer, TestTokens.ClientId, TestTokens.Nonce, TimeSpan.FromMinutes(2));
    private readonly TestTokens _tokens = new();

    public void Dispose() => _tokens.Dispose();

    private IdTokenError Validate(string token, IdTokenExpectations? expected = null) =>
        IdTokenValidator.Validate(token, expected ?? Expected, _tokens.Keys, TestTokens.Now, out _);

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public void Validate_TokenSignedByTheProvider_IsAccepted(string alg)
    {
        var error = IdTokenValidator.Validate(_tokens.Sign(TestTokens.Claims(), alg), Expected, _tokens.Keys, TestTokens.Now, out var claims);

        Assert.Equal(IdTokenError.None, error);
        Assert.Equal("alice", claims.GetProperty("sub").GetString());
    }

    [Fact]
    public void Validate_TokenWithoutKeyId_IsCheckedAgainstEveryKeyOfItsKind()
    {
        var token = _tokens.Sign(TestTokens.Claims());
        var parts = token.Split('.');
        var noKid = TestTokens.WithHeader(token, new JsonObject { ["alg"] = "RS256" }, []);
        var signature = _tokens.Rsa.SignData(Encoding.ASCII.GetBytes(noKid.Split('.')[0] + "." + parts[1]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.Equal(IdTokenError.None, Validate(noKid[..noKid.LastIndexOf('.')] + "." + TestTokens.B64(signature)));
    }

    [Fact]
    public void Validate_PayloadChangedAfterSigning_IsRefused()
    {
        var token = _tokens.Sign(TestTokens.Claims());
        var forged = TestTokens.Claims("admin");
        var parts = token.Split('.');
        var tampered = parts[0] + "." + TestTokens.B64(Encoding.UTF8.GetBytes(forged.ToJsonString())) + "." + parts[2];

        Assert.Equal(IdTokenError.Signature, Validate(tampered));
    }

    [Fact]
    public void Validate_SignatureByAnotherKey_IsRefused()
    {
        using var other = new TestTokens();

        Assert.Equal(IdTokenError.Signature, Validate(other.Sign(TestTokens.Claims())));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("HS256")]
    [InlineData("RS384")]
    [InlineData("PS256")]
    [InlineData("ES384")]
    [InlineData("")]
    public void Validate_AlgorithmOtherThanRs256OrEs256_IsRefused(string alg)
    {
        var token = _tokens.Sign(TestTokens.Claims());
        var header = new JsonObject { ["alg"] = alg, ["kid"] = "rs" };

        // alg none: no signature at all; HS256: an HMAC keyed with the RSA public key (the key confusion attack).
        var signingInput = TestTokens.WithHeader(token, header, [])[..^1];
        var hmac = HMACSHA256.HashData(_tokens.Rsa.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(signingInput));
        Assert.Equal(IdTokenError.Algorithm, Validate(signingInput + "."));
        Assert.Equal(IdTokenError.Algorithm, Validate(signingInput + "." + TestTokens.B64(hmac)));
    }

    [Fact]
    public void Validate_CriticalHeaderExtension_IsRefused()
    {
        var token = _tokens.Sign(TestTokens.Claims());

        Assert.Equal(IdTokenError.Algorithm, Validate(TestTokens.WithHeader(token, new JsonObject { ["alg"] = "RS256", ["kid"] = "rs", ["crit"] = new JsonArray("exp") }, [1])));
    }

    [Fact]
    public void Validate_UnknownKeyId_SaysSoSoTheKeysCanBeReadAgain()
    {
        Assert.Equal(IdTokenError.UnknownKey, Validate(_tokens.Sign(TestTokens.Claims(), kid: "rotated-away")));
    }

    [Theory]
    [InlineData("https://evil.example.test")]
    [InlineData("https://login.example.test/")]
    [InlineData("HTTPS://LOGIN.EXAMPLE.TEST")]
    public void Validate_WrongIssuer_IsRefused(string issuer)
    {
        var claims = TestTokens.Claims();
        claims["iss"] = issuer;

        Assert.Equal(IdTokenError.Issuer, Validate(_tokens.Sign(claims)));
    }

    [Fact]
    public void Validate_WrongAudience_IsRefused()
    {
        var claims = TestTokens.Claims();
        claims["aud"] = "another-client";

        Assert.Equal(IdTokenError.Audience, Validate(_tokens.Sign(claims)));
    }

    [Fact]
    public void Validate_SeveralAudiences_NeedAuthorizedPartyToBeUs()
    {
        var claims = TestTokens.Claims();
        claims["aud"] = new JsonArray("another-client", TestTokens.ClientId);
        Assert.Equal(IdTokenError.Audience, Validate(_tokens.Sign(claims)));

        claims["azp"] = "another-client";
        Assert.Equal(IdTokenError.Audience, Validate(_tokens.Sign(claims)));

        claims["azp"] = TestTokens.ClientId;
        Assert.Equal(IdTokenError.None, Validate(_tokens.Sign(claims)));
    }

    [Theory]
    [InlineData(-121, false)]
    [InlineData(-120, false)]
    [InlineData(-119, true)]
    public void Validate_ExpiryWithinClockSkew_IsAcceptedAndPastItRefused(int expiresInSeconds, bool accepted)
    {
        var claims = TestTokens.Claims();
        claims["exp"] = TestTokens.Now.AddSeconds(expiresInSeconds).ToUnixTimeSeconds();

        Assert.Equal(accepted ? IdTokenError.None : IdTokenError.Expired, Validate(_tokens.Sign(claims)));
    }

    [Fact]
    public void Validate_MissingExpiry_IsRefused()
    {
        var claims = TestTokens.Claims();
        claims.Remove("exp");

        Assert.Equal(IdTokenError.Expired, Validate(_tokens.Sign(claims)));
    }

    [Theory]
    [InlineData("nbf")]
    [InlineData("iat")]
    public void Validate_IssuedInTheFuture_IsRefused(string claim)
    {
        var claims = TestTokens.Claims();
        claims[claim] = TestTokens.Now.AddMinutes(10).ToUnixTimeSeconds();

        Assert.Equal(IdTokenError.NotYetValid, Validate(_tokens.Sign(claims)));
    }

    [Theory]
    [InlineData("another-nonce")]
    [InlineData("")]
    [InlineData(null)]
    public void Validate_WrongOrMissingNonce_IsRefused(string? nonce)
    {
        var claims = TestTokens.Claims();
        claims["nonce"] = nonce;

        Assert.Equal(IdTokenError.Nonce, Validate(_tokens.Sign(claims)));
    }

    [Fact]
    public void Validate_ExpectingNoNonce_RefusesEvenATokenWithoutOne()
    {
        var claims = TestTokens.Claims();
        claims.Remove("nonce");

        Assert.Equal(IdTokenError.Nonce, Validate(_tokens.Sign(claims), Expected with { Nonce = string.Empty }));
    }

    [Fact]
    public void Validate_MissingSubject_IsRefused()
    {
        var claims = TestTokens.Claims();
        claims.Remove("sub");

        Assert.Equal(IdTokenError.Subject, Validate(_tokens.Sign(claims)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d.e")]
    [InlineData("!!!.???.***")]
    [InlineData("e30.e30")]
    [InlineData("W10.W10.")]
    [InlineData(".e30.")]
    public void Validate_Malformed_IsRefused(string token)
    {
        Assert.Equal(IdTokenError.Malformed, Validate(token));
    }

    [Fact]
    public void Parse_KeySet_SkipsKeysThatCannotSignIdTokens()
    {
        using var small = RSA.Create(1024);
        var jwks = _tokens.Jwks();
        var parameters = small.ExportParameters(false);
        var keys = jwks["keys"]!.AsArray();
        keys.Add(new JsonObject { ["kty"] = "RSA", ["kid"] = "small", ["n"] = TestTokens.B64(parameters.Modulus!), ["e"] = TestTokens.B64(parameters.Exponent!) });
        keys.Add(new JsonObject { ["kty"] = "RSA", ["kid"] = "enc", ["use"] = "enc", ["n"] = keys[0]!["n"]!.GetValue<string>(), ["e"] = "AQAB" });
        keys.Add(new JsonObject { ["kty"] = "oct", ["kid"] = "hmac", ["k"] = "c2VjcmV0" });
        keys.Add(new JsonObject { ["kty"] = "EC", ["kid"] = "p384", ["crv"] = "P-384", ["x"] = "AA", ["y"] = "AA" });

        var parsed = JsonWebKeySet.Parse(System.Text.Json.JsonDocument.Parse(jwks.ToJsonString()).RootElement);

        Assert.Equal(["rs", "ec"], parsed.Keys.Select(k => k.KeyId));
    }
}

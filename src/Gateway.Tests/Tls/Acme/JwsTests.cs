using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Tls.Acme;

namespace Gateway.Tests.Tls.Acme;

public sealed class JwsTests
{
    private static readonly Uri NewAccount = new("https://ca.example/acme/new-account");

    [Fact]
    public void Sign_WithoutKid_CarriesTheJwkAndAnEs256SignatureThatVerifies()
    {
        using var key = AccountKey.Create();

        var (header, payload, signature, input) = Parse(Jws.Sign(key, NewAccount, "nonce-1", kid: null, "{\"a\":1}"u8.ToArray()));

        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(key.Jwk, header.GetProperty("jwk").GetRawText());
        Assert.False(header.TryGetProperty("kid", out _));
        Assert.Equal("nonce-1", header.GetProperty("nonce").GetString());
        Assert.Equal(NewAccount.AbsoluteUri, header.GetProperty("url").GetString());
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload)));
        Assert.Equal(64, signature.Length);
        Assert.True(key.Verify(Encoding.ASCII.GetBytes(input), signature));
    }

    [Fact]
    public void Sign_WithKidAsPostAsGet_HasNoJwkAndAnEmptyPayload()
    {
        using var key = AccountKey.Create();

        var (header, payload, _, _) = Parse(Jws.Sign(key, NewAccount, "n", kid: "https://ca.example/acme/acct/1", payload: null));

        Assert.Equal("https://ca.example/acme/acct/1", header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
        Assert.Equal(string.Empty, payload);
    }

    [Fact]
    public void Jwk_IsTheCanonicalFormAndTheThumbprintIsItsSha256()
    {
        using var key = AccountKey.Create();

        using var jwk = JsonDocument.Parse(key.Jwk);
        var members = jwk.RootElement.EnumerateObject().Select(p => p.Name).ToArray();

        Assert.Equal(["crv", "kty", "x", "y"], members);
        Assert.DoesNotContain(' ', key.Jwk);
        Assert.Equal(32, Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("x").GetString()).Length);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(key.Jwk))), key.Thumbprint);
        Assert.Equal("token." + key.Thumbprint, key.KeyAuthorization("token"));
    }

    [Fact]
    public void ExternalAccountBinding_IsAnHs256JwsOverTheAccountJwk()
    {
        using var key = AccountKey.Create();
        var mac = RandomNumberGenerator.GetBytes(32);

        var (header, payload, signature, input) = Parse(Jws.ExternalAccountBinding(new ExternalAccountBinding("kid-1", [.. mac]), key, NewAccount));

        Assert.Equal(("HS256", "kid-1", NewAccount.AbsoluteUri), (header.GetProperty("alg").GetString(), header.GetProperty("kid").GetString(), header.GetProperty("url").GetString()));
        Assert.False(header.TryGetProperty("nonce", out _));
        Assert.Equal(key.Jwk, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload)));
        Assert.Equal(HMACSHA256.HashData(mac, Encoding.ASCII.GetBytes(input)), signature);
    }

    [Fact]
    public void AccountKey_SurvivesAPemRoundTrip()
    {
        using var key = AccountKey.Create();

        using var loaded = AccountKey.FromPem(key.ExportPem());

        Assert.Equal(key.Thumbprint, loaded.Thumbprint);
    }

    private static (JsonElement Header, string Payload, byte[] Signature, string Input) Parse(byte[] jws)
    {
        var root = JsonDocument.Parse(jws).RootElement;
        var protectedPart = root.GetProperty("protected").GetString()!;
        var payload = root.GetProperty("payload").GetString()!;
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(protectedPart)).RootElement;
        return (header, payload, Base64Url.DecodeFromChars(root.GetProperty("signature").GetString()), protectedPart + "." + payload);
    }
}

using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Knock;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Knock;

/// <summary>
/// The provider's discovery document and keys: checked before use, kept for a while, read again when a token names
/// a key the gateway does not know (rotation), and kept when the provider is briefly unreachable.
/// </summary>
public sealed class OidcDiscoveryTests : IDisposable
{
    private static readonly OidcSettings Settings = new(
        new Uri(TestTokens.Issuer), TestTokens.ClientId, "secret", ["openid"], "preferred_username", "email", "groups", true, TimeSpan.FromMinutes(2), TimeSpan.FromHours(1));

    private readonly TestTokens _keys = new();
    private readonly ManualTimeProvider _clock = new(TestTokens.Now);
    private readonly StubProvider _provider = new();
    private readonly OidcBackchannel _backchannel;
    private readonly OidcDiscovery _discovery;

    public OidcDiscoveryTests()
    {
        _provider.Jwks = _keys.Jwks();
        _backchannel = new OidcBackchannel(_provider);
        _discovery = new OidcDiscovery(_backchannel, _clock, NullLogger<OidcDiscovery>.Instance);
    }

    public void Dispose()
    {
        _backchannel.Dispose();
        _provider.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public async Task Get_ReadsDiscoveryAndKeysOnce_ThenAgainAfterTheRefreshInterval()
    {
        var first = await _discovery.GetAsync(Settings, default);
        await _discovery.GetAsync(Settings, default);
        _clock.Advance(TimeSpan.FromHours(1));
        await _discovery.GetAsync(Settings, default);

        Assert.Equal(new Uri("https://login.example.test/authorize"), first.AuthorizationEndpoint);
        Assert.Equal(2, first.Keys.Keys.Length);
        Assert.Equal(4, _provider.Requests);
    }

    [Theory]
    [InlineData("issuer", "https://other.example.test", "names the issuer 'https://other.example.test', not 'https://login.example.test/'")]
    [InlineData("token_endpoint", "http://login.example.test/token", "token_endpoint http://login.example.test/token is not https")]
    [InlineData("jwks_uri", null, "has no usable jwks_uri")]
    public async Task Get_UnusableDiscoveryDocument_IsRefusedSayingWhy(string field, string? value, string expected)
    {
        _provider.Discovery[field] = value;

        var error = await Assert.ThrowsAsync<OidcUnavailableException>(() => _discovery.GetAsync(Settings, default));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ProviderWithoutPkceS256_IsRefused()
    {
        _provider.Discovery["code_challenge_methods_supported"] = new JsonArray("plain");

        var error = await Assert.ThrowsAsync<OidcUnavailableException>(() => _discovery.GetAsync(Settings, default));

        Assert.Contains("does not offer PKCE with S256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ProviderDownAfterward_KeepsWhatWasReadBefore()
    {
        var first = await _discovery.GetAsync(Settings, default);
        _provider.Down = true;
        _clock.Advance(TimeSpan.FromHours(2));

        Assert.Same(first, await _discovery.GetAsync(Settings, default));
    }

    [Fact]
    public async Task Validate_TokenSignedWithARotatedKey_ReadsTheKeysAgainAndAccepts()
    {
        var metadata = await _discovery.GetAsync(Settings, default);
        using var rotated = new TestTokens();
        _provider.Jwks = rotated.Jwks();
        var token = rotated.Sign(TestTokens.Claims());
        var flow = new OidcFlow(Settings, metadata, _discovery, _clock);

        // Within 30 seconds of the last read the keys are not fetched again: a forged token cannot make the gateway hammer the provider.
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("id_token-signature", (await Assert.ThrowsAsync<OidcLoginException>(() => flow.ValidateAsync(token, TestTokens.Nonce, default))).Reason);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var user = await flow.ValidateAsync(token, TestTokens.Nonce, default);

        Assert.Equal(("alice", "alice@example.test", "engineering"), (user.Name, user.Email, user.Groups.Single()));
        Assert.Equal(3, _provider.Requests);
    }

    /// <summary>An OpenID provider's two documents, served in memory.</summary>
    private sealed class StubProvider : HttpMessageHandler
    {
        public JsonObject Discovery { get; } = new()
        {
            ["issuer"] = TestTokens.Issuer,
            ["authorization_endpoint"] = TestTokens.Issuer + "/authorize",
            ["token_endpoint"] = TestTokens.Issuer + "/token",
            ["jwks_uri"] = TestTokens.Issuer + "/jwks",
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
        };

        public JsonObject Jwks { get; set; } = [];

        public bool Down { get; set; }

        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            var body = request.RequestUri!.AbsolutePath switch
            {
                "/.well-known/openid-configuration" => Discovery,
                "/jwks" => Jwks,
                _ => null,
            };
            var response = Down || body is null
                ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            return Task.FromResult(response);
        }
    }
}

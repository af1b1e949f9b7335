using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Knock;

/// <summary>
/// Login against the real OpenID provider (npm oidc-provider): code flow with PKCE, the id_token checked by the
/// gateway. What the provider really issues gets in; a token changed on the way, an unsigned one, one for another
/// login (nonce), an expired one, or a provider claiming another issuer, does not.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class LoginTests(KnockFixture fixture)
{
    private Task<KnockSite> StartAsync(TokenEndpointSpy? spy = null, ManualTimeProvider? clock = null, string alg = "RS256", Action<JsonObject>? configure = null) =>
        KnockSite.StartAsync(fixture.Provider, fixture.Backend, configure, builder =>
        {
            spy?.InstallIn(builder);
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }
        }, alg);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason, KnockUser user, KnockSite site)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Sign-in failed", body, StringComparison.Ordinal);
        Assert.Contains("Reason: " + reason, body, StringComparison.Ordinal);
        Assert.Null(user.CookieValue(site.Portal, "gw_portal"));
        Assert.True(site.Gateway.Logs.Contains("Login refused (" + reason + ")"), "the refusal is logged with its reason");
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task Login_AtTheRealProvider_SignsIntoThePortalWithNameEmailAndGroups(string alg)
    {
        var spy = new TokenEndpointSpy();
        await using var site = await StartAsync(spy, alg: alg);
        using var alice = site.User("alice");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var callback = await alice.LoginAsync(site.Login);
        var (portal, _) = await alice.FollowAsync(site.Portal);
        Console.WriteLine($"Login ({alg}) through the provider's form to the portal page: {watch.Elapsed.TotalMilliseconds:0} ms.");

        Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);
        Assert.Equal(alg, JsonNode.Parse(Base64Url.DecodeFromChars(spy.Issued.Single().Split('.')[0]))!["alg"]!.GetValue<string>());
        var page = await portal.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
        Assert.Contains("Signed in as <strong>alice</strong> (alice@example.test)", page, StringComparison.Ordinal);
        Assert.Contains("Confluence", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Grafana", page, StringComparison.Ordinal);
        Assert.True(site.Gateway.Logs.Contains("Login: alice (groups engineering) signed in from 127.0.0.1."));
    }

    [Fact]
    public async Task Login_UserOutsideEveryGroup_SeesNoApplicationAndCannotAllow()
    {
        await using var site = await StartAsync();
        using var mallory = await site.SignedInAsync("mallory");

        var page = await (await mallory.Http.GetAsync(site.Portal)).Content.ReadAsStringAsync();
        var allow = await mallory.SubmitAsync(site.Portal, "/allow", new Dictionary<string, string> { ["app"] = "confluence" });

        Assert.Contains("not in a group that may open an application", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, allow.StatusCode);
        Assert.Contains("Your groups do not give you access to Confluence", await allow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(site.Gateway.Services.GetRequiredService<Gateway.Access.AccessState>().Lists.SelectMany(l => l.Entries));
    }

    [Fact]
    public async Task Login_IdTokenChangedOnTheWay_IsRefused()
    {
        // A man in the middle of the token response turns alice into bob, keeping the provider's signature.
        var spy = new TokenEndpointSpy(token =>
        {
            var parts = token.Split('.');
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
            claims["preferred_username"] = "bob";
            claims["groups"] = new JsonArray("engineering", "ops");
            return parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];
        });
        await using var site = await StartAsync(spy);
        using var alice = site.User("alice");

        await AssertRefusedAsync(await alice.LoginAsync(site.Login), "id_token-signature", alice, site);
    }

    [Fact]
    public async Task Login_UnsignedIdToken_IsRefused()
    {
        // The provider's own claims (right issuer, audience, nonce), re-wrapped with alg "none" and no signature.
        var spy = new TokenEndpointSpy(token =>
            Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8) + "." + token.Split('.')[1] + ".");
        await using var site = await StartAsync(spy);
        using var alice = site.User("alice");

        await AssertRefusedAsync(await alice.LoginAsync(site.Login), "id_token-algorithm", alice, site);
    }

    [Fact]
    public async Task Login_IdTokenIssuedToAnotherClient_IsRefused()
    {
        // A genuine, freshly signed id_token of the same provider, but issued to another gateway's client.
        var other = new TokenEndpointSpy();
        await using (var elsewhere = await StartAsync(other))
        {
            using var bob = await elsewhere.SignedInAsync("bob");
        }

        await using var site = await StartAsync(new TokenEndpointSpy(_ => other.Issued.Single()));
        using var alice = site.User("alice");

        await AssertRefusedAsync(await alice.LoginAsync(site.Login), "id_token-audience", alice, site);
    }

    [Fact]
    public async Task Login_NonceOfAnotherLogin_IsRefused()
    {
        await using var site = await StartAsync();
        using var alice = site.User("alice");

        // The authorization request reaches the provider with a nonce the gateway never issued for this login.
        var response = await alice.LoginAsync(site.Login, authorize =>
        {
            var query = QueryHelpers.ParseQuery(authorize.Query);
            query["nonce"] = "replayed-from-another-login";
            return new Uri(QueryHelpers.AddQueryString(authorize.GetLeftPart(UriPartial.Path), query));
        });

        await AssertRefusedAsync(response, "id_token-nonce", alice, site);
    }

    [Fact]
    public async Task Login_IdTokenExpiredByTheGatewaysClock_IsRefused()
    {
        // The provider's tokens live an hour; the gateway's clock is two hours ahead.
        await using var site = await StartAsync(clock: new ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(2)));
        using var alice = site.User("alice");

        await AssertRefusedAsync(await alice.LoginAsync(site.Login), "id_token-expired", alice, site);
    }

    [Fact]
    public async Task Login_ProviderNamingAnotherIssuer_IsNotStarted()
    {
        // Configured as http://localhost:<port>, the provider calls itself http://127.0.0.1:<port>.
        await using var site = await StartAsync(configure: config =>
            config["Knock"]!["Oidc"]!["Authority"] = fixture.Provider.Issuer.ToString().Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        using var alice = site.User("alice");

        var response = await alice.Http.GetAsync(site.Login);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("sign-in provider cannot be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(site.Gateway.Logs.Contains("names the issuer 'http://127.0.0.1:"), "the log says which issuer the provider claims");
    }

    [Fact]
    public async Task Login_CallbackOpenedInAnotherBrowser_IsRefused()
    {
        // A finished login handed to another browser (login CSRF) fails: that browser has no correlation cookie.
        await using var site = await StartAsync();
        using var mallory = site.User("mallory");
        using var alice = site.User("alice");
        Assert.Equal(HttpStatusCode.Found, (await mallory.LoginAsync(site.Login)).StatusCode);

        var replayed = await alice.Http.GetAsync(mallory.LastCallback!);

        await AssertRefusedAsync(replayed, "correlation", alice, site);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://confluence.test.evil.example/")]
    [InlineData("javascript:alert(1)")]
    public async Task Login_ReturnToAnotherSite_IsRefused(string target)
    {
        await using var site = await StartAsync();
        using var alice = site.User("alice");

        var login = await alice.Http.GetAsync(new Uri(site.Login + "?return=" + Uri.EscapeDataString(target)));
        var portal = await alice.Http.GetAsync(new Uri(site.Portal + "?return=" + Uri.EscapeDataString(target)));

        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Null(login.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, portal.StatusCode);
        Assert.Contains("not on a host this gateway serves", await portal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_ReturnToAProtectedApplication_ComesBackThere()
    {
        await using var site = await StartAsync();
        using var alice = site.User("alice");
        var back = site.Confluence + "wiki/page?id=7";

        var response = await alice.LoginAsync(new Uri(site.Login + "?return=" + Uri.EscapeDataString(back)));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(back, response.Headers.Location!.ToString());
    }
}

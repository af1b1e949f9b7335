using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Knock;

/// <summary>
/// <c>/.gateway/auth</c> asked as nginx, Traefik and Caddy ask it: the route's policy decides on the original
/// request's host and path, the client behind the proxy and the session cookie passed on. Only trusted proxies are
/// believed, and whatever cannot be decided is denied, never answered with a 5xx.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class ForwardAuthTests(KnockFixture fixture)
{
    private static readonly Dictionary<string, string> Confluence = new() { ["app"] = "confluence" };

    /// <summary>The knock site with forward-auth on, 127.0.0.1 as the trusted proxy, and an open /public on Confluence's host.</summary>
    private Task<KnockSite> StartAsync(Action<JsonObject>? configure = null) =>
        KnockSite.StartAsync(fixture.Provider, fixture.Backend, config =>
        {
            config["Access"]!["TrustedProxies"] = new JsonArray("127.0.0.1");
            config["Knock"]!["ForwardAuth"] = new JsonObject { ["Enabled"] = true };
            config["Routes"]!["confluence-public"] = new JsonObject { ["Hosts"] = new JsonArray("confluence.test"), ["PathPrefix"] = "/public", ["Cluster"] = "app" };
            configure?.Invoke(config);
        });

    /// <summary>What nginx's auth_request sends: the original URL and method, the client, the original cookies.</summary>
    private static async Task<HttpResponseMessage> AskAsync(KnockSite site, string originalUrl, string client = "127.0.0.1", string? cookie = null, IPAddress? from = null, string method = "GET")
    {
        using var proxy = site.Gateway.CreateClient(from: from);
        var request = new HttpRequestMessage(HttpMethod.Get, "/.gateway/auth");
        request.Headers.TryAddWithoutValidation("X-Original-URL", originalUrl);
        request.Headers.TryAddWithoutValidation("X-Original-Method", method);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        return await proxy.SendAsync(request);
    }

    private static string Reason(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Gateway-Reject-Reason", out var values) ? values.Single() : "-";

    private static async Task<string> SessionCookieAsync(KnockSite site, KnockUser user)
    {
        var allow = await user.SubmitAsync(site.Portal, "/allow", Confluence);
        await user.FollowAsync(allow.Headers.Location!);
        return "gw_session_confluence=" + user.CookieValue(site.Confluence, "gw_session_confluence");
    }

    [Fact]
    public async Task Ask_WithAValidSession_Gets200NamingTheUserEmailAndGroups()
    {
        await using var site = await StartAsync();
        using var bob = await site.SignedInAsync("bob");
        var cookie = await SessionCookieAsync(site, bob);

        var response = await AskAsync(site, "http://confluence.test/wiki/page?id=1", cookie: cookie);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("bob", response.Headers.GetValues("X-Auth-Request-User").Single());
        Assert.Equal("bob@example.test", response.Headers.GetValues("X-Auth-Request-Email").Single());
        Assert.Equal("engineering,ops", response.Headers.GetValues("X-Auth-Request-Groups").Single());
    }

    [Fact]
    public async Task Ask_WithoutASession_Gets401_AndFromAnUnlistedClient403()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        var cookie = await SessionCookieAsync(site, alice);

        var noSession = await AskAsync(site, "http://confluence.test/");
        var otherClient = await AskAsync(site, "http://confluence.test/", client: "198.51.100.7", cookie: cookie);

        Assert.Equal((HttpStatusCode.Unauthorized, "no-session"), (noSession.StatusCode, Reason(noSession)));
        Assert.Equal((HttpStatusCode.Forbidden, "ip-not-listed"), (otherClient.StatusCode, Reason(otherClient)));
    }

    [Fact]
    public async Task Ask_FromAnUntrustedCaller_IsDeniedWhateverItsHeadersSay()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        var cookie = await SessionCookieAsync(site, alice);

        var response = await AskAsync(site, "http://confluence.test/", cookie: cookie, from: IPAddress.Parse("127.0.0.2"));

        Assert.Equal((HttpStatusCode.Forbidden, "untrusted-caller"), (response.StatusCode, Reason(response)));
    }

    [Fact]
    public async Task Ask_WithTraefikAndCaddyHeaders_DecidesTheSame()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        var cookie = await SessionCookieAsync(site, alice);
        using var proxy = site.Gateway.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/.gateway/auth");
        request.Headers.Add("X-Forwarded-Method", "POST");
        request.Headers.Add("X-Forwarded-Proto", "http");
        request.Headers.Add("X-Forwarded-Host", "confluence.test");
        request.Headers.Add("X-Forwarded-Uri", "/rest/api/content");
        request.Headers.Add("X-Forwarded-For", "127.0.0.1");
        request.Headers.Add("Cookie", cookie);

        var response = await proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("alice", response.Headers.GetValues("X-Auth-Request-User").Single());
    }

    [Theory]
    [InlineData("http://confluence.test/public/readme", HttpStatusCode.OK)]
    [InlineData("http://confluence.test/public/../admin", HttpStatusCode.Forbidden)]
    [InlineData("http://confluence.test/public/%2e%2e/admin", HttpStatusCode.Forbidden)]
    [InlineData("http://confluence.test/public/./../../admin", HttpStatusCode.Forbidden)]
    [InlineData("http://confluence.test/PUBLIC/readme", HttpStatusCode.OK)]
    public async Task Ask_PathWithDotSegments_IsJudgedAsTheApplicationWillSeeIt(string url, HttpStatusCode expected)
    {
        await using var site = await StartAsync();

        Assert.Equal(expected, (await AskAsync(site, url)).StatusCode);
    }

    [Fact]
    public async Task Ask_IpOnlyRoute_NamesTheUserWhoseGrantLetsTheAddressIn()
    {
        await using var site = await StartAsync();
        using var olga = await site.SignedInAsync("olga");
        await olga.SubmitAsync(site.Portal, "/allow", new Dictionary<string, string> { ["app"] = "grafana" });

        var response = await AskAsync(site, "http://grafana.test/d/home");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("olga", response.Headers.GetValues("X-Auth-Request-User").Single());
        Assert.Equal("ops", response.Headers.GetValues("X-Auth-Request-Groups").Single());
    }

    [Theory]
    [InlineData("http://unknown.test/", "no-route")]
    [InlineData("not a url", "no-original-request")]
    [InlineData("ftp://confluence.test/", "no-original-request")]
    [InlineData("http://confluence.test/a%00b", "no-original-request")]
    [InlineData("http://confluence.test:99999/", "no-original-request")]
    public async Task Ask_ThatCannotBeDecided_IsDenied(string url, string reason)
    {
        await using var site = await StartAsync();

        var response = await AskAsync(site, url);

        Assert.Equal((HttpStatusCode.Forbidden, reason), (response.StatusCode, Reason(response)));
    }

    [Fact]
    public async Task Ask_WithoutAnyOriginalRequestHeaders_IsDenied()
    {
        await using var site = await StartAsync();
        using var proxy = site.Gateway.CreateClient();

        var response = await proxy.GetAsync("/.gateway/auth");

        Assert.Equal((HttpStatusCode.Forbidden, "no-original-request"), (response.StatusCode, Reason(response)));
    }

    [Fact]
    public async Task Ask_PastTheRateLimit_Gets403NotA429NginxWouldTurnInto500()
    {
        await using var site = await StartAsync(config => config["Knock"]!["RateLimits"] = new JsonObject { ["ForwardAuth"] = new JsonObject { ["Limit"] = 1, ["Window"] = "1h" } });

        var first = await AskAsync(site, "http://confluence.test/public/");
        var second = await AskAsync(site, "http://confluence.test/public/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, "rate-limited"), (second.StatusCode, Reason(second)));
    }

    [Fact]
    public async Task Ask_WhenForwardAuthIsOff_Is404()
    {
        await using var site = await StartAsync(config => config["Knock"]!["ForwardAuth"]!["Enabled"] = false);

        Assert.Equal(HttpStatusCode.NotFound, (await AskAsync(site, "http://confluence.test/")).StatusCode);
    }
}

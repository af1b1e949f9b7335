using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Tests.Knock;

/// <summary>Rate limits per client IP on login, allow and KAT redemption; no secret of a login ever in a log line.</summary>
[Collection(KnockCollection.Name)]
public sealed class AbuseTests(KnockFixture fixture)
{
    private static readonly Dictionary<string, string> Confluence = new() { ["app"] = "confluence" };

    private Task<KnockSite> StartAsync(JsonObject? limits = null, TokenEndpointSpy? spy = null) =>
        KnockSite.StartAsync(fixture.Provider, fixture.Backend, config =>
        {
            if (limits is not null)
            {
                config["Knock"]!["RateLimits"] = limits;
            }
        }, builder => spy?.InstallIn(builder));

    private static JsonObject Limit(string kind, int limit) => new() { [kind] = new JsonObject { ["Limit"] = limit, ["Window"] = "1h" } };

    [Fact]
    public async Task Login_PastItsLimit_Gets429PerClientAddress()
    {
        await using var site = await StartAsync(Limit("Login", 2));
        using var first = site.User("a");
        using var other = site.User("b", from: IPAddress.Parse("127.0.0.2"));

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await first.Http.GetAsync(site.Login)).StatusCode);
        }

        var limited = await first.Http.GetAsync(site.Login);
        Assert.Equal([HttpStatusCode.Found, HttpStatusCode.Found, HttpStatusCode.TooManyRequests], answers);
        Assert.True(limited.Headers.RetryAfter is not null, "429 says when to retry");
        Assert.Equal(HttpStatusCode.Found, (await other.Http.GetAsync(site.Login)).StatusCode);
        Assert.True(site.Gateway.Logs.Contains("Rate limit (Login) reached by client 127.0.0.1 on /.gateway/login."));
    }

    [Fact]
    public async Task Allow_PastItsLimit_Gets429AndChangesNothing()
    {
        await using var site = await StartAsync(Limit("Allow", 1));
        using var alice = await site.SignedInAsync("alice");

        var first = await alice.SubmitAsync(site.Portal, "/allow", Confluence);
        var second = await alice.SubmitAsync(site.Portal, "/allow", Confluence);

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task Redemption_PastItsLimit_Gets429BeforeTheTokenIsLookedAt()
    {
        await using var site = await StartAsync(Limit("Redemption", 2));
        using var guesser = site.User("guesser");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await guesser.Http.GetAsync(new Uri(site.Confluence, "/?kat=guess" + i))).StatusCode);
        }

        var form = await guesser.PostAsync(new Uri(site.Confluence, "/.gateway/kat"), new Dictionary<string, string> { ["kat"] = "guess" });
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);

        // Ordinary traffic is not counted.
        Assert.Equal(HttpStatusCode.Forbidden, (await guesser.Http.GetAsync(site.Confluence)).StatusCode);
    }

    [Fact]
    public async Task Logs_OfAWholeLoginAllowAndRedemption_CarryNoTokenCookieOrCode()
    {
        var spy = new TokenEndpointSpy();
        await using var site = await StartAsync(spy: spy);
        using var alice = await site.SignedInAsync("alice");
        var allow = await alice.SubmitAsync(site.Portal, "/allow", Confluence);
        var (app, _) = await alice.FollowAsync(allow.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, app.StatusCode);

        var secrets = new Dictionary<string, string?>
        {
            ["id_token"] = spy.Issued.Single(),
            ["id_token signature"] = spy.Issued.Single().Split('.')[2],
            ["authorization code"] = QueryHelpers.ParseQuery(alice.LastCallback!.Query)["code"],
            ["state"] = QueryHelpers.ParseQuery(alice.LastCallback!.Query)["state"],
            ["KAT"] = QueryHelpers.ParseQuery(allow.Headers.Location!.Query)["kat"],
            ["portal cookie"] = alice.CookieValue(site.Portal, "gw_portal"),
            ["session cookie"] = alice.CookieValue(site.Confluence, "gw_session_confluence"),
            ["CSRF cookie"] = alice.CookieValue(site.Portal, "gw_csrf"),
            ["client secret"] = site.Gateway.CurrentConfig.Knock.Oidc!.ClientSecret,
        };

        Assert.NotEmpty(site.Gateway.Logs.Entries);
        foreach (var (what, secret) in secrets)
        {
            Assert.False(string.IsNullOrEmpty(secret), what + " was seen");
            Assert.DoesNotContain(site.Gateway.Logs.Entries, e => e.Message.Contains(secret, StringComparison.Ordinal));
        }
    }
}

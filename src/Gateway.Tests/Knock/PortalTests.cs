using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Knock;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Knock;

/// <summary>
/// The portal after a real login: "Allow my IP" puts the user's address on the list (their own grant) and sends them
/// through the application's KAT redemption, so they arrive with the session too; "Revoke" closes it again. Shared
/// addresses stay listed while another user holds them; forms without the CSRF token change nothing.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class PortalTests(KnockFixture fixture)
{
    private static readonly Dictionary<string, string> Confluence = new() { ["app"] = "confluence" };

    private Task<KnockSite> StartAsync(ManualTimeProvider? clock = null, Action<JsonObject>? configure = null) =>
        KnockSite.StartAsync(fixture.Provider, fixture.Backend, configure, builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }
        });

    private static AccessList List(KnockSite site, string name) =>
        site.Gateway.Services.GetRequiredService<AccessState>().TryGetList(name, out var list) ? list : throw new InvalidOperationException(name);

    private static async Task<HttpResponseMessage> OpenAsync(KnockUser user, Uri url) => (await user.FollowAsync(url)).Response;

    [Fact]
    public async Task Allow_ThenTheApplicationLoads_WithTheAddressListedForTheUserAndASession()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var site = await StartAsync(clock);
        using var alice = await site.SignedInAsync("alice");
        Assert.Equal(HttpStatusCode.Forbidden, (await OpenAsync(alice, site.Confluence)).StatusCode);

        var allow = await alice.SubmitAsync(site.Portal, "/allow", Confluence);
        var (app, visited) = await alice.FollowAsync(allow.Headers.Location!);

        // Off to the application's redemption URL with a KAT, which the gateway swaps for a session cookie.
        Assert.Equal(HttpStatusCode.SeeOther, allow.StatusCode);
        Assert.StartsWith(site.Confluence + "?kat=", allow.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(site.Confluence, visited.Last());
        Assert.Equal("app", (await EchoResponse.ReadAsync(app)).Backend);
        Assert.NotNull(alice.CookieValue(site.Confluence, "gw_session_confluence"));

        // The grant: alice's own entry for her address, the list's 8h capped to the portal's 4h.
        var entry = Assert.Single(List(site, "confluence").Entries);
        Assert.Equal(("127.0.0.1", "alice", clock.GetUtcNow().AddHours(4)), (entry.Pattern, entry.Owner, entry.ExpiresAt));
        var session = Assert.Single(site.Gateway.Services.GetRequiredService<AccessState>().Sessions.All);
        Assert.Equal("alice", session.User);
        Assert.True(site.Gateway.Logs.Contains("Audit: portal:alice add 127.0.0.1 to list confluence for alice"));

        var page = await (await alice.Http.GetAsync(site.Portal)).Content.ReadAsStringAsync();
        Assert.Contains("Your address 127.0.0.1 is allowed until", page, StringComparison.Ordinal);
        Assert.Contains("Revoke<span class=\"visually-hidden\"> for Confluence</span>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_IpOnlyApplication_GoesStraightThereWithoutAToken()
    {
        await using var site = await StartAsync();
        using var olga = await site.SignedInAsync("olga");

        var allow = await olga.SubmitAsync(site.Portal, "/allow", new Dictionary<string, string> { ["app"] = "grafana" });

        Assert.Equal(site.Grafana, allow.Headers.Location);
        Assert.Equal("app", (await EchoResponse.ReadAsync(await OpenAsync(olga, site.Grafana))).Backend);
        Assert.Empty(site.Gateway.Services.GetRequiredService<AccessState>().Sessions.All);
    }

    [Fact]
    public async Task Allow_WithAReturnUrlOnTheApplication_ArrivesThere()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        var deep = site.Confluence + "display/SPACE?x=1";

        var allow = await alice.SubmitAsync(new Uri(site.Portal + "?return=" + Uri.EscapeDataString(deep)), "/allow",
            new Dictionary<string, string> { ["app"] = "confluence", ["return"] = deep });
        var (app, visited) = await alice.FollowAsync(allow.Headers.Location!);

        Assert.Equal(new Uri(deep), visited.Last());
        Assert.Equal("/display/SPACE?x=1", (await EchoResponse.ReadAsync(app)).Path);
    }

    [Fact]
    public async Task Allow_FormWithoutTheCsrfToken_IsRefusedAndChangesNothing()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        using var bob = await site.SignedInAsync("bob");
        var bobsPage = await (await bob.Http.GetAsync(site.Portal)).Content.ReadAsStringAsync();
        var bobsToken = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(bobsPage, "__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

        // Signed in, but the form was forged elsewhere: no token, a made-up one, or bob's token in alice's browser.
        var none = await alice.PostAsync(new Uri(site.Portal, "/allow"), Confluence);
        var madeUp = await alice.PostAsync(new Uri(site.Portal, "/allow"), new Dictionary<string, string>(Confluence) { ["__RequestVerificationToken"] = "CfDJ8forged" });
        await alice.Http.GetAsync(site.Portal);
        var others = await alice.PostAsync(new Uri(site.Portal, "/allow"), new Dictionary<string, string>(Confluence) { ["__RequestVerificationToken"] = bobsToken });

        Assert.All([none, madeUp, others], r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Contains("This form was not sent from your portal page", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(List(site, "confluence").Entries);
        Assert.True(site.Gateway.Logs.Contains("Portal: a form for alice to /allow had no valid CSRF token; nothing changed."));
    }

    [Fact]
    public async Task Allow_WithoutSigningIn_IsRefused()
    {
        await using var site = await StartAsync();
        using var stranger = site.User("stranger");

        var response = await stranger.PostAsync(new Uri(site.Portal, "/allow"), Confluence);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(List(site, "confluence").Entries);
    }

    [Fact]
    public async Task Revoke_ClosesTheApplicationAgain()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        var allow = await alice.SubmitAsync(site.Portal, "/allow", Confluence);
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(alice, allow.Headers.Location!)).StatusCode);

        var revoke = await alice.SubmitAsync(site.Portal, "/revoke", Confluence);
        var (portal, _) = await alice.FollowAsync(new Uri(site.Portal, revoke.Headers.Location!));

        Assert.Equal(HttpStatusCode.SeeOther, revoke.StatusCode);
        Assert.Contains("Your access to Confluence was revoked.", await portal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var closed = await OpenAsync(alice, site.Confluence);
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
        Assert.Contains("ip-not-listed", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(List(site, "confluence").Entries);
        Assert.Empty(site.Gateway.Services.GetRequiredService<AccessState>().Sessions.All);
    }

    [Fact]
    public async Task Revoke_OnASharedAddress_KeepsItForTheOtherUserAndEndsOnlyTheRevokersSessions()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        using var bob = await site.SignedInAsync("bob");
        foreach (var user in new[] { alice, bob })
        {
            var allow = await user.SubmitAsync(site.Portal, "/allow", Confluence);
            Assert.Equal(HttpStatusCode.OK, (await OpenAsync(user, allow.Headers.Location!)).StatusCode);
        }

        Assert.Equal(["alice", "bob"], List(site, "confluence").Entries.Select(e => e.Owner).Order());
        await alice.SubmitAsync(site.Portal, "/revoke", Confluence);

        // Same office address: still listed for bob, who keeps working; alice's session is gone.
        var entry = Assert.Single(List(site, "confluence").Entries);
        Assert.Equal(("127.0.0.1", "bob"), (entry.Pattern, entry.Owner));
        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(bob, site.Confluence)).StatusCode);
        var aliceNow = await OpenAsync(alice, site.Confluence);
        Assert.Equal(HttpStatusCode.Forbidden, aliceNow.StatusCode);
        Assert.Contains("session-unknown", await aliceNow.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The last one out turns off the lights.
        await bob.SubmitAsync(site.Portal, "/revoke", Confluence);
        Assert.Empty(List(site, "confluence").Entries);
        Assert.Equal(HttpStatusCode.Forbidden, (await OpenAsync(bob, site.Confluence)).StatusCode);
    }

    [Fact]
    public async Task GrantExpiry_OnASharedAddress_EndsThatUsersSessionsOnly()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var site = await StartAsync(clock, config =>
        {
            config["Access"]!["Sessions"] = new JsonObject { ["IdleTimeout"] = "8h" };
            config["Knock"]!["Portal"]!["SignInLifetime"] = "8h";
        });
        using var alice = await site.SignedInAsync("alice");
        using var bob = await site.SignedInAsync("bob");
        await OpenAsync(alice, (await alice.SubmitAsync(site.Portal, "/allow", Confluence)).Headers.Location!);
        clock.Advance(TimeSpan.FromHours(1));
        await OpenAsync(bob, (await bob.SubmitAsync(site.Portal, "/allow", Confluence)).Headers.Location!);
        var watcher = site.Gateway.Services.GetRequiredService<GrantWatcher>();
        await watcher.CheckOnceAsync();

        // Alice's 4h grant has run out, bob's (allowed an hour later) has not.
        clock.Advance(TimeSpan.FromHours(3) + TimeSpan.FromSeconds(1));
        await watcher.CheckOnceAsync();

        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(bob, site.Confluence)).StatusCode);
        var aliceNow = await OpenAsync(alice, site.Confluence);
        Assert.Equal(HttpStatusCode.Forbidden, aliceNow.StatusCode);
        Assert.Contains("session-unknown", await aliceNow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(site.Gateway.Logs.Contains("The last grant of alice on list confluence ended; 1 session(s) of theirs revoked."));
    }

    [Fact]
    public async Task Allow_FromIpv4AndIpv6_ListsBothAddressesForTheUser()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        using var aliceOnIpv6 = site.User("alice", to: IPAddress.IPv6Loopback, cookies: alice.Cookies);

        await OpenAsync(alice, (await alice.SubmitAsync(site.Portal, "/allow", Confluence)).Headers.Location!);
        var allowV6 = await aliceOnIpv6.SubmitAsync(site.Portal, "/allow", Confluence);
        var app = await OpenAsync(aliceOnIpv6, allowV6.Headers.Location!);

        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        Assert.Equal(["127.0.0.1", "::1"], List(site, "confluence").Entries.Where(e => e.Owner == "alice").Select(e => e.Pattern).Order());
        var page = await (await aliceOnIpv6.Http.GetAsync(site.Portal)).Content.ReadAsStringAsync();
        Assert.Contains("Your address ::1 is allowed until", page, StringComparison.Ordinal);
        Assert.Contains("Also allowed for you: 127.0.0.1 until", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_SurvivesARestart_GrantSessionAndSignIn()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        await OpenAsync(alice, (await alice.SubmitAsync(site.Portal, "/allow", Confluence)).Headers.Location!);

        await site.RestartAsync();

        Assert.Equal(HttpStatusCode.OK, (await OpenAsync(alice, site.Confluence)).StatusCode);
        Assert.Equal("alice", Assert.Single(List(site, "confluence").Entries).Owner);
        var page = await alice.Http.GetAsync(site.Portal);
        Assert.Contains("Your address 127.0.0.1 is allowed until", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, (await alice.SubmitAsync(site.Portal, "/revoke", Confluence)).StatusCode);
    }

    [Fact]
    public async Task Allow_Again_ReplacesTheUsersGrantInsteadOfAddingOne()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");

        await alice.SubmitAsync(site.Portal, "/allow", Confluence);
        var first = Assert.Single(List(site, "confluence").Entries).Id;
        await alice.SubmitAsync(site.Portal, "/allow", Confluence);

        Assert.NotEqual(first, Assert.Single(List(site, "confluence").Entries).Id);
    }

    [Fact]
    public async Task RejectPage_OfAProtectedRoute_LinksToThePortal()
    {
        await using var site = await StartAsync();
        using var stranger = site.User("stranger");

        var page = await (await stranger.Http.GetAsync(site.Confluence)).Content.ReadAsStringAsync();

        Assert.Contains($"<a href=\"{site.Portal}\">Request access</a>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_EndsThePortalSignInButNotTheGrants()
    {
        await using var site = await StartAsync();
        using var alice = await site.SignedInAsync("alice");
        await alice.SubmitAsync(site.Portal, "/allow", Confluence);

        var logout = await alice.SubmitAsync(site.Portal, "/.gateway/logout", new Dictionary<string, string>());
        var portal = await alice.Http.GetAsync(site.Portal);

        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Contains("You are signed out", await logout.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, portal.StatusCode);
        Assert.StartsWith("/.gateway/login?return=", portal.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Single(List(site, "confluence").Entries);
    }
}

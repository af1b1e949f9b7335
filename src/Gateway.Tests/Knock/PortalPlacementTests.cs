using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Knock;

/// <summary>
/// Where the portal lives next to the routes: under <c>/.gateway/portal</c> on every host (no route can take it, not
/// even a catch-all with a low Order), or on a host of its own; moved by a configuration reload without a restart.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class PortalPlacementTests(KnockFixture fixture)
{
    /// <summary>The portal on every host under /.gateway/portal, and a catch-all route for any host ordered first.</summary>
    private static void OnEveryHost(JsonObject config)
    {
        config["Knock"]!.AsObject().Remove("Portal");
        config["Routes"]!["everything"] = new JsonObject { ["Cluster"] = "app", ["Order"] = -500 };
    }

    [Fact]
    public async Task Portal_UnderTheReservedPath_IsServedOnEveryHostAheadOfACatchAllRoute()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend, OnEveryHost);
        using var alice = site.User("alice");
        var portal = new Uri(site.Confluence, "/.gateway/portal");

        var anonymous = await alice.Http.GetAsync(portal);
        var other = await alice.Http.GetAsync(new Uri(site.Confluence, "/.gateway/portalx"));
        var elsewhere = await alice.Http.GetAsync(new Uri($"http://anything.test:{site.Port}/page"));

        Assert.Equal(HttpStatusCode.Found, anonymous.StatusCode);
        Assert.Equal("/.gateway/login?return=%2F.gateway%2Fportal", anonymous.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode); // reserved: never proxied, even by a catch-all route
        Assert.Equal("/page", (await EchoResponse.ReadAsync(elsewhere)).Path);
    }

    [Fact]
    public async Task Portal_UnderTheReservedPath_SignsInAndAllowsOnTheApplicationsHost()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend, config => config["Knock"]!.AsObject().Remove("Portal"));
        using var alice = site.User("alice");
        var portal = new Uri(site.Confluence, "/.gateway/portal");

        var refusal = await (await alice.Http.GetAsync(site.Confluence)).Content.ReadAsStringAsync();
        var login = await alice.LoginAsync(new Uri(site.Confluence, "/.gateway/login"));
        var allow = await alice.SubmitAsync(portal, "/.gateway/portal/allow", new Dictionary<string, string> { ["app"] = "confluence" });
        var (app, _) = await alice.FollowAsync(allow.Headers.Location!);

        Assert.Contains("<a href=\"/.gateway/portal\">Request access</a>", refusal, StringComparison.Ordinal);
        Assert.Equal("/.gateway/portal", login.Headers.Location!.OriginalString);
        Assert.Equal("app", (await EchoResponse.ReadAsync(app)).Backend);
    }

    [Fact]
    public async Task Portal_MovedByAReload_IsServedAtItsNewPlace()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend);
        using var alice = site.User("alice");
        var config = KnockSite.Config(site.Port, fixture.Provider, site.ClientId, site.Gateway.CurrentConfig.Knock.Oidc!.ClientSecret, fixture.Backend.Url);
        config["Knock"]!["Portal"] = new JsonObject { ["Host"] = $"access.test:{site.Port}", ["Path"] = "/me" };
        var revision = site.Gateway.CurrentConfig.Revision;

        await site.Gateway.RewriteConfigAsync(config);
        await Eventually.TrueAsync(() => site.Gateway.CurrentConfig.Revision > revision, "the configuration to reload");

        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync(site.Portal)).StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await alice.Http.GetAsync(new Uri(site.Portal, "/me"))).StatusCode);
    }
}

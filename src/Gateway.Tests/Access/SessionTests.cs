using System.Net;
using Gateway.Access;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

/// <summary>The session cookie: what makes it valid, and every way it stops being so.</summary>
public sealed class SessionTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private Task<TestGateway> StartAsync(ManualTimeProvider? clock = null) =>
        TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "ip+kat", "127.0.0.0/8"), builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }
        });

    private static async Task<HttpStatusCode> GetAsync(TestGateway gateway, string? cookie, HttpClient? client = null, string host = AccessScenario.Host) =>
        (await AccessScenario.SendAsync(client ?? gateway.Client, host, "/page", cookie)).StatusCode;

    [Fact]
    public async Task ValidCookie_IsHttpOnlyLaxHostOnlyAndOpensTheRoute()
    {
        await using var gateway = await StartAsync();
        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + await AccessScenario.IssueAsync(gateway));

        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gw_session_confluence=", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task TamperedCookie_IsRefused()
    {
        await using var gateway = await StartAsync();
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));
        var value = cookie[(cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var flipped = value[..20] + (value[20] == 'A' ? 'B' : 'A') + value[21..];

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, "gw_session_confluence=" + flipped));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, "gw_session_confluence=not-even-base64!"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));
    }

    [Fact]
    public async Task CookieForgedWithAnotherKey_IsRefused()
    {
        await using var gateway = await StartAsync();
        await using var other = await StartAsync();
        var foreign = await AccessScenario.RedeemAsync(other.Client, await AccessScenario.IssueAsync(other));

        Assert.Equal(HttpStatusCode.OK, await GetAsync(other, foreign));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, foreign));
    }

    [Fact]
    public async Task CookieFromAnotherIp_IsRefused()
    {
        await using var gateway = await StartAsync();
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));
        using var elsewhere = gateway.CreateClient(from: IPAddress.Parse("127.0.0.2"));

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, cookie, elsewhere));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));
    }

    [Fact]
    public async Task CookieForAnotherList_IsRefused()
    {
        await using var gateway = await StartAsync();
        var grafanaCookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway, "grafana"), "grafana.example.com");
        var asConfluence = "gw_session_confluence=" + grafanaCookie[(grafanaCookie.IndexOf('=', StringComparison.Ordinal) + 1)..];

        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, grafanaCookie, host: "grafana.example.com"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, asConfluence));
    }

    [Fact]
    public async Task RevokedSession_IsRefusedAtOnce()
    {
        await using var gateway = await StartAsync();
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway, value: "alice"));
        var bob = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway, value: "bob"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));

        var writer = gateway.Services.GetRequiredService<AccessWriter>();
        Assert.Equal(1, await writer.RevokeSessionsAsync(null, "alice", null, "test"));

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, cookie));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, bob));
        Assert.True(gateway.Logs.Contains("Audit: test revoke the sessions of user alice"));
    }

    [Fact]
    public async Task RevokeAllOfAList_ClosesEverySessionOfThatListOnly()
    {
        await using var gateway = await StartAsync();
        var confluence = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));
        var grafana = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway, "grafana"), "grafana.example.com");

        await gateway.Services.GetRequiredService<AccessWriter>().RevokeSessionsAsync(null, null, "confluence", "test");

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, confluence));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, grafana, host: "grafana.example.com"));
    }

    [Fact]
    public async Task Session_EndsAtItsAbsoluteExpiry()
    {
        var clock = new ManualTimeProvider();
        await using var gateway = await StartAsync(clock);
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));

        // Keep it active so only the 12h absolute lifetime can end it.
        for (var i = 0; i < 24; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));
            clock.Advance(TimeSpan.FromMinutes(29.99));
        }

        clock.Advance(TimeSpan.FromMinutes(0.25));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, cookie));
    }

    [Fact]
    public async Task Session_EndsAfterTheIdleTimeout()
    {
        var clock = new ManualTimeProvider();
        await using var gateway = await StartAsync(clock);
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(gateway, cookie));
        clock.Advance(TimeSpan.FromMinutes(60));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(gateway, cookie));
    }
}

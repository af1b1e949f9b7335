using System.Net;
using Gateway.Access;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Access;

/// <summary>Exchanging a KAT for a session: once, within its lifetime, from the right IP, and never leaking it.</summary>
public sealed class RedemptionTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private Task<TestGateway> StartAsync(ManualTimeProvider? clock = null) =>
        TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "ip+kat", "127.0.0.0/8"), builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }
        });

    [Fact]
    public async Task QueryToken_RedirectsToTheSameUrlWithoutTheToken()
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway);

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, $"/wiki/page?id=7&kat={token}&lang=en");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/wiki/page?id=7&lang=en", response.Headers.Location!.OriginalString);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Token_IsSingleUse()
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway);
        await AccessScenario.RedeemAsync(gateway.Client, token);

        var again = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + token);

        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.False(again.Headers.Contains("Set-Cookie"));
        Assert.Contains("kat-unknown", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiftyConcurrentRedemptions_GiveExactlyOneSession()
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway);
        var clients = Enumerable.Range(0, 50).Select(_ => gateway.CreateClient()).ToList();

        var responses = await Task.WhenAll(clients.Select(c => AccessScenario.SendAsync(c, AccessScenario.Host, "/?kat=" + token)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Found);
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden));
        var state = gateway.Services.GetRequiredService<AccessState>();
        Assert.Single(state.Sessions.All, s => s.ListName == "confluence");
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Token_ExpiresExactlyAtItsLifetime()
    {
        var clock = new ManualTimeProvider();
        await using var gateway = await StartAsync(clock);
        var early = await AccessScenario.IssueAsync(gateway);
        var late = await AccessScenario.IssueAsync(gateway);

        clock.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromTicks(1));
        Assert.Equal(HttpStatusCode.Found, (await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + early)).StatusCode);
        clock.Advance(TimeSpan.FromTicks(1));
        var expired = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + late);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("kat-expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenBoundToAnIp_IsRefusedElsewhereWithoutBeingBurnt()
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway, value: "alice,ip=127.0.0.1");
        using var elsewhere = gateway.CreateClient(from: IPAddress.Parse("127.0.0.3"));

        var stolen = await AccessScenario.SendAsync(elsewhere, AccessScenario.Host, "/?kat=" + token);

        Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
        Assert.Contains("kat-other-ip", await stolen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, (await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + token)).StatusCode);
    }

    [Fact]
    public async Task TokenForAnotherList_DoesNotOpenThisRoute()
    {
        await using var gateway = await StartAsync();
        var grafanaToken = await AccessScenario.IssueAsync(gateway, "grafana");

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + grafanaToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await AccessScenario.SendAsync(gateway.Client, "grafana.example.com", "/?kat=" + grafanaToken)).StatusCode);
    }

    [Fact]
    public async Task FormPost_RedeemsAndReturnsToALocalPath()
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway);

        var response = await PostAsync(gateway, token, "/wiki");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/wiki", response.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, (await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/", setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)])).StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example.net/phish")]
    [InlineData("//evil.example.net/phish")]
    [InlineData("/\\evil.example.net")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://user@confluence.example.com/")]
    public async Task FormPost_RefusesAReturnUrlOffTheConfiguredHosts_AndKeepsTheToken(string returnUrl)
    {
        await using var gateway = await StartAsync();
        var token = await AccessScenario.IssueAsync(gateway);

        var response = await PostAsync(gateway, token, returnUrl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await PostAsync(gateway, token, "https://confluence.example.com/wiki")).StatusCode);
    }

    [Fact]
    public async Task FormPost_UnknownToken_IsRefused()
    {
        await using var gateway = await StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(gateway, "forged-token", "/")).StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(TestGateway gateway, string token, string returnUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/.gateway/kat")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["kat"] = token, ["return"] = returnUrl }),
        };
        request.Headers.Host = AccessScenario.Host;
        return gateway.Client.SendAsync(request);
    }
}

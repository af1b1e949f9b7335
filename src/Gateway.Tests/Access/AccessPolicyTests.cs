using System.Net;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Access;

/// <summary>Each policy mode against a listed or unlisted client IP, with and without a session.</summary>
public sealed class AccessPolicyTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private const string Listed = "127.0.0.1";
    private const string Unlisted = "10.9.9.9";

    [Theory]
    [InlineData("none", Unlisted, false, HttpStatusCode.OK)]
    [InlineData("ip", Listed, false, HttpStatusCode.OK)]
    [InlineData("ip", Unlisted, false, HttpStatusCode.Forbidden)]
    [InlineData("kat", Unlisted, true, HttpStatusCode.OK)]
    [InlineData("kat", Listed, false, HttpStatusCode.Forbidden)]
    [InlineData("ip+kat", Listed, true, HttpStatusCode.OK)]
    [InlineData("ip+kat", Listed, false, HttpStatusCode.Forbidden)]
    [InlineData("ip+kat", Unlisted, true, HttpStatusCode.Forbidden)]
    [InlineData("ip+kat", Unlisted, false, HttpStatusCode.Forbidden)]
    public async Task Policy_AllowsOnlyWhatItRequires(string policy, string entry, bool withSession, HttpStatusCode expected)
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, policy, entry));
        string? cookie = null;
        if (withSession)
        {
            cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));
        }

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/wiki", cookie);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("a", (await EchoResponse.ReadAsync(response)).Backend);
        }
    }

    [Fact]
    public async Task Rejection_IsLoggedWithRouteClientListAndReason_NeverTheCookie()
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "ip+kat", Listed));
        var token = await AccessScenario.IssueAsync(gateway);
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, token);

        await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/", cookie + "x");

        Assert.True(gateway.Logs.Contains("Access refused on route confluence for client 127.0.0.1 (peer 127.0.0.1), list confluence: bad-cookie"));
        var cookieValue = cookie[(cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var leaks = gateway.Logs.Entries.Where(e => e.Message.Contains(cookieValue, StringComparison.Ordinal) || e.Message.Contains(token, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Select(l => l.Category + ": " + l.Message)));
    }

    [Fact]
    public async Task UnprotectedRoute_IsNotAffected()
    {
        var config = AccessScenario.Config(backends.A.Url, "ip+kat", Unlisted);
        config["Routes"]!["open"] = new System.Text.Json.Nodes.JsonObject { ["Hosts"] = new System.Text.Json.Nodes.JsonArray("open.example.com"), ["Cluster"] = "app" };
        await using var gateway = await TestGateway.StartAsync(config);

        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("open.example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await gateway.GetAsync(AccessScenario.Host)).StatusCode);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Access;

/// <summary>
/// Knocknoc's documented HAProxy + KAT setup as Gateway config: confluence.example.com reaches Confluence only from an
/// allowlisted IP with a valid session; everything else gets the 503 page (HAProxy's default_backend error).
/// </summary>
public sealed class KnocknocScenarioTests
{
    [Fact]
    public async Task Confluence_OpensOnlyForAnAllowlistedIpWithASession_EverythingElseGets503()
    {
        await using var confluence = await TestBackend.StartAsync("confluence");
        var config = AccessScenario.Config(confluence.Url, "ip+kat", "127.0.0.1");
        config["Routes"]!["confluence"]!["Access"]!["Reject"] = new JsonObject { ["Status"] = 503 };
        config["Routes"]!.AsObject().Remove("grafana");
        config["Fallback"] = new JsonObject { ["Status"] = 503 };
        await using var gateway = await TestGateway.StartAsync(config);
        using var otherIp = gateway.CreateClient(from: IPAddress.Parse("127.0.0.9"));

        // No session yet: 503, as HAProxy answers when knoc_confluence does not match.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.GetAsync(AccessScenario.Host, "/")).StatusCode);

        // The agent issues a KAT; the user follows the link once and carries the session from then on.
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, await AccessScenario.IssueAsync(gateway));
        var page = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/display/SPACE", cookie);
        Assert.Equal("confluence", (await EchoResponse.ReadAsync(page)).Backend);

        // Same cookie from an IP that is not on #500: refused. Another host: the default 503 page.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await AccessScenario.SendAsync(otherIp, AccessScenario.Host, "/", cookie)).StatusCode);
        var elsewhere = await AccessScenario.SendAsync(gateway.Client, "jira.example.com", "/", cookie);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, elsewhere.StatusCode);
        Assert.Contains("Service unavailable", await elsewhere.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, confluence.Requests);
    }
}

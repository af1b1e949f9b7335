using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Access;

/// <summary>What a refused request gets: a page, a redirect to the portal, or the existing HAProxy.</summary>
public sealed class RejectActionTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject WithReject(JsonObject reject, string entry = "10.9.9.9")
    {
        var config = AccessScenario.Config(backends.A.Url, "ip+kat", entry);
        config["Routes"]!["confluence"]!["Access"]!["Reject"] = reject;
        return config;
    }

    [Fact]
    public async Task Deny_Default_Is403HtmlPageThatSaysWhyAndIsNotCached()
    {
        await using var gateway = await TestGateway.StartAsync(WithReject([]));

        var response = await gateway.GetAsync(AccessScenario.Host);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Contains("<h1>Access denied</h1>", page, StringComparison.Ordinal);
        Assert.Contains("ip-not-listed", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deny_503_WithJsonForClientsThatAskForIt()
    {
        await using var gateway = await TestGateway.StartAsync(WithReject(new JsonObject { ["Status"] = 503 }));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Host = AccessScenario.Host;
        request.Headers.Accept.ParseAdd("application/json");

        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"error":"unavailable","reason":"ip-not-listed"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deny_WithAPageFile_SendsTheOperatorsPage()
    {
        var page = Path.Combine(Path.GetTempPath(), "gw-503-" + Guid.NewGuid().ToString("N") + ".html");
        await File.WriteAllTextAsync(page, "<html><body>Ask the helpdesk</body></html>");
        await using var gateway = await TestGateway.StartAsync(WithReject(new JsonObject { ["Status"] = 503, ["Page"] = page }));

        var response = await gateway.GetAsync(AccessScenario.Host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("<html><body>Ask the helpdesk</body></html>", await response.Content.ReadAsStringAsync());
        File.Delete(page);
    }

    [Fact]
    public async Task Redirect_SendsToThePortalWithTheReturnUrl()
    {
        await using var gateway = await TestGateway.StartAsync(WithReject(new JsonObject { ["Action"] = "redirect", ["Url"] = "https://portal.example.com/login?app=wiki" }));

        var response = await gateway.GetAsync(AccessScenario.Host, "/wiki/page?id=7");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(
            "https://portal.example.com/login?app=wiki&return=" + Uri.EscapeDataString("http://confluence.example.com/wiki/page?id=7"),
            response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Redirect_DoesNotCarryAReturnUrlForAHostOutsideTheConfiguredOnes()
    {
        var config = WithReject(new JsonObject { ["Action"] = "redirect", ["Url"] = "https://portal.example.com/login" });
        // A route that answers any host: the Host header is the attacker's to choose.
        config["Routes"]!["confluence"]!["Hosts"] = new JsonArray();
        config["Access"]!["ReturnHosts"] = new JsonArray("confluence.example.com");
        await using var gateway = await TestGateway.StartAsync(config);

        var evil = await gateway.GetAsync("evil.example.net", "/phish");
        var good = await gateway.GetAsync(AccessScenario.Host, "/wiki");

        Assert.Equal("https://portal.example.com/login", evil.Headers.Location!.OriginalString);
        Assert.Contains("return=", good.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fallback_ForwardsToARealHaproxyWithTheReason()
    {
        var haproxyPort = FreePort.Get();
        await using var haproxy = await HaproxyProcess.StartAsync($"""
            global
              log stderr format raw local0
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            frontend old_edge
              bind 127.0.0.1:{haproxyPort}
              http-request set-header X-Seen-By haproxy
              default_backend legacy
            backend legacy
              server b {backends.B.Url.Host}:{backends.B.Url.Port}
            """, haproxyPort);
        var config = WithReject(new JsonObject { ["Action"] = "fallback" });
        config["Clusters"]!["haproxy"] = TestGateway.Cluster(new Uri($"http://127.0.0.1:{haproxyPort}"));
        config["Fallback"] = new JsonObject { ["Cluster"] = "haproxy" };
        await using var gateway = await TestGateway.StartAsync(config);

        // A client trying to pass as already judged must not get its header through.
        var request = new HttpRequestMessage(HttpMethod.Get, "/wiki");
        request.Headers.Host = AccessScenario.Host;
        request.Headers.Add("X-Gateway-Reject", "none");
        var echo = await EchoResponse.ReadAsync(await gateway.Client.SendAsync(request));

        Assert.Equal("b", echo.Backend);
        Assert.Equal("haproxy", echo.Headers["X-Seen-By"]);
        Assert.Equal("ip", echo.Headers["X-Gateway-Reject"]);
        Assert.Equal("ip-not-listed", echo.Headers["X-Gateway-Reject-Reason"]);
        Assert.Equal(AccessScenario.Host, echo.Headers["Host"]);

        var unrouted = await EchoResponse.ReadAsync(await gateway.GetAsync("unknown.example.com", "/x"));
        Assert.Equal("haproxy", unrouted.Headers["X-Seen-By"]);
        Assert.False(unrouted.Headers.ContainsKey("X-Gateway-Reject"));
    }
}

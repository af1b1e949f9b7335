using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Access;

/// <summary>The client IP end to end: forwarding headers believed only from trusted proxies.</summary>
public sealed class ClientIpTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject Config(string listed, params string[] trusted)
    {
        var config = AccessScenario.Config(backends.A.Url, "ip", listed);
        var proxies = new JsonArray();
        foreach (var network in trusted)
        {
            proxies.Add(network);
        }

        config["Access"]!["TrustedProxies"] = proxies;
        return config;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string xff) =>
        AccessScenario.SendAsync(client, AccessScenario.Host, "/", configure: r => r.Headers.Add("X-Forwarded-For", xff));

    [Fact]
    public async Task SpoofedForwardedFor_FromAnUntrustedPeer_IsIgnoredAndReplaced()
    {
        // Only 127.0.0.2 is a trusted proxy; this client connects from 127.0.0.1 and claims to be a listed address.
        await using var gateway = await TestGateway.StartAsync(Config("203.0.113.50", "127.0.0.2"));

        var response = await SendAsync(gateway.Client, "203.0.113.50");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TrustedProxyChain_IsReadFromTheRight()
    {
        await using var gateway = await TestGateway.StartAsync(Config("203.0.113.50", "127.0.0.0/8", "10.0.0.0/8"));

        // spoofed-by-client, real client, inner proxy: the walk stops at the first untrusted hop from the right.
        var allowed = await SendAsync(gateway.Client, "198.51.100.99, 203.0.113.50, 10.1.1.1");
        var refused = await SendAsync(gateway.Client, "203.0.113.50, 198.51.100.99, 10.1.1.1");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var echo = await EchoResponse.ReadAsync(allowed);
        Assert.Equal("198.51.100.99, 203.0.113.50, 10.1.1.1, 127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task DirectClient_BackendSeesOnlyTheRealAddress()
    {
        var config = Config("127.0.0.1");
        await using var gateway = await TestGateway.StartAsync(config);

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/", configure: r =>
        {
            r.Headers.Add("X-Forwarded-For", "203.0.113.50");
            r.Headers.Add("Forwarded", "for=203.0.113.50");
            r.Headers.Add("X-Real-IP", "203.0.113.50");
        });
        var echo = await EchoResponse.ReadAsync(response);

        Assert.Equal("127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.False(echo.Headers.ContainsKey("Forwarded"));
        Assert.False(echo.Headers.ContainsKey("X-Real-IP"));
    }
}

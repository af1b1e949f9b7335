using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls;

/// <summary>HTTP to HTTPS redirects for the routes that ask, and HSTS on responses sent over TLS.</summary>
public sealed class HttpsRedirectTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject Config(JsonObject? hsts = null)
    {
        var routes = new JsonObject
        {
            ["secure"] = new JsonObject { ["Hosts"] = new JsonArray("secure.example.com"), ["Cluster"] = "app", ["RedirectToHttps"] = true },
            ["plain"] = new JsonObject { ["Hosts"] = new JsonArray("plain.example.com"), ["Cluster"] = "app" },
        };
        var tls = new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true } };
        if (hsts is not null)
        {
            tls["Hsts"] = hsts;
        }

        return TlsConfigs.Gateway(backends.A.Url, tls, routes);
    }

    [Fact]
    public async Task RedirectToHttps_PlainRequest_GoesToTheSameUrlOnTheHttpsListener()
    {
        await using var gateway = await TestGateway.StartAsync(Config());

        var get = await gateway.GetAsync("secure.example.com", "/a/b?c=d");
        var post = await gateway.GetAsync("secure.example.com", "/form", HttpMethod.Post);

        Assert.Equal(HttpStatusCode.MovedPermanently, get.StatusCode);
        Assert.Equal($"https://secure.example.com:{gateway.Port("https")}/a/b?c=d", get.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.PermanentRedirect, post.StatusCode);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("plain.example.com", "/"))).Backend);
    }

    [Fact]
    public async Task RedirectToHttps_AcmeChallengePath_IsNotRedirected()
    {
        await using var gateway = await TestGateway.StartAsync(Config());

        var response = await gateway.GetAsync("secure.example.com", "/.well-known/acme-challenge/some-token");

        Assert.Equal("a", (await EchoResponse.ReadAsync(response)).Backend);
    }

    [Fact]
    public async Task RedirectToHttps_OverTls_IsServed()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        using var client = TlsProbe.Client(gateway.Port("https"), root: null, acceptAny: true);

        var response = await client.GetAsync("https://secure.example.com/a");

        Assert.Equal("a", (await EchoResponse.ReadAsync(response)).Backend);
    }

    [Fact]
    public async Task Hsts_IsSentOverTlsOnly()
    {
        await using var gateway = await TestGateway.StartAsync(Config(new JsonObject { ["IncludeSubDomains"] = true }));
        using var client = TlsProbe.Client(gateway.Port("https"), root: null, acceptAny: true);

        var overTls = await client.GetAsync("https://plain.example.com/");
        var plain = await gateway.GetAsync("plain.example.com", "/");

        Assert.Equal("max-age=31536000; includeSubDomains", overTls.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Routing;

public sealed class ClusterTests
{
    private static JsonObject OneRoute(JsonObject cluster) => new()
    {
        ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "app" } },
        ["Clusters"] = new JsonObject { ["app"] = cluster },
    };

    [Fact]
    public async Task RoundRobin_SpreadsRequestsEvenlyOverTwoDestinations()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var gateway = await TestGateway.StartAsync(OneRoute(TestGateway.Cluster(a.Url, b.Url)));

        var seen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            seen.Add((await EchoResponse.ReadAsync(await gateway.Client.GetAsync("/"))).Backend);
        }

        Assert.Equal(5, seen.Count(s => s == "a"));
        Assert.Equal(5, seen.Count(s => s == "b"));
    }

    [Fact]
    public async Task ActiveHealthCheck_TakesADeadDestinationOutAndPutsItBack()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        var cluster = TestGateway.Cluster(a.Url, b.Url);
        cluster["HealthCheck"] = new JsonObject
        {
            ["Active"] = new JsonObject { ["Interval"] = "100ms", ["Timeout"] = "1s", ["Path"] = "/health", ["Fall"] = 1 },
        };
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        b.HealthStatus = HttpStatusCode.ServiceUnavailable;
        await Eventually.TrueAsync(async () => await OnlyAAnswersAsync(gateway), "b taken out of rotation");
        Assert.True(await OnlyAAnswersAsync(gateway));

        b.HealthStatus = HttpStatusCode.OK;
        await Eventually.TrueAsync(async () => !await OnlyAAnswersAsync(gateway), "b back in rotation");
    }

    private static async Task<bool> OnlyAAnswersAsync(TestGateway gateway)
    {
        for (var i = 0; i < 6; i++)
        {
            if ((await EchoResponse.ReadAsync(await gateway.Client.GetAsync("/"))).Backend != "a")
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task ServerTimeout_SlowDestinationGets504()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        var cluster = TestGateway.Cluster(slow.Url);
        cluster["Timeouts"] = new JsonObject { ["Server"] = "300ms" };
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        var response = await gateway.Client.GetAsync("/?delay=10000");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var fast = await gateway.Client.GetAsync("/?delay=10");
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
    }

    [Fact]
    public async Task RefusedConnection_Gets502()
    {
        var nobody = new Uri($"http://127.0.0.1:{FreePort.Get()}");
        await using var gateway = await TestGateway.StartAsync(OneRoute(TestGateway.Cluster(nobody)));

        var response = await gateway.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task MaxConnectionsPerDestination_QueuesRequestsBeyondTheLimit()
    {
        await using var backend = await TestBackend.StartAsync("a");
        var cluster = TestGateway.Cluster(backend.Url);
        cluster["MaxConnectionsPerDestination"] = 1;
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        var requests = Enumerable.Range(0, 4).Select(_ => gateway.CreateClient().GetAsync("/?delay=150")).ToList();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(4, backend.Requests);
        Assert.Equal(1, backend.MaxConcurrentRequests);
    }

    [Fact]
    public async Task Tls_VerifiesTheDestinationCertificateByDefault()
    {
        using var certificates = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("tls", certificates.Issue("app.internal"));
        await using var gateway = await TestGateway.StartAsync(OneRoute(TestGateway.Cluster(backend.Url)));

        // The backend's CA is not trusted by the system: like HAProxy's "ssl verify required", refuse it.
        var response = await gateway.GetAsync("app.internal");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task Tls_VerifyFalseAcceptsAnyCertificate()
    {
        using var certificates = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("tls", certificates.Issue("app.internal"));
        var cluster = TestGateway.Cluster(backend.Url);
        cluster["Tls"] = new JsonObject { ["Verify"] = false };
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        Assert.Equal("tls", (await EchoResponse.ReadAsync(await gateway.GetAsync("anything.example.com"))).Backend);
    }

    [Fact]
    public async Task Tls_CaFileTrustsAPrivateCaAndStillChecksTheName()
    {
        using var certificates = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("tls", certificates.Issue("app.internal"));
        var caFile = certificates.WriteCaPem(Path.Combine(Path.GetTempPath(), "gw-ca-" + Guid.NewGuid().ToString("N")));
        var cluster = TestGateway.Cluster(backend.Url);
        cluster["Tls"] = new JsonObject { ["CaFile"] = caFile };
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        Assert.Equal("tls", (await EchoResponse.ReadAsync(await gateway.GetAsync("app.internal"))).Backend);
        Assert.Equal("app.internal", backend.LastSni);
        // The certificate does not name this host: refused even though the CA is trusted.
        Assert.Equal(HttpStatusCode.BadGateway, (await gateway.GetAsync("other.example.com")).StatusCode);
    }

    [Fact]
    public async Task Tls_SniCanDifferFromTheHostHeader()
    {
        using var certificates = new TestCertificates();
        await using var backend = await TestBackend.StartAsync("tls", certificates.Issue("app.internal"));
        var caFile = certificates.WriteCaPem(Path.Combine(Path.GetTempPath(), "gw-ca-" + Guid.NewGuid().ToString("N")));
        var cluster = TestGateway.Cluster(backend.Url);
        cluster["Tls"] = new JsonObject { ["CaFile"] = caFile, ["Sni"] = "app.internal" };
        await using var gateway = await TestGateway.StartAsync(OneRoute(cluster));

        var echo = await EchoResponse.ReadAsync(await gateway.GetAsync("confluence.example.com"));

        Assert.Equal("app.internal", backend.LastSni);
        Assert.Equal("confluence.example.com", echo.Headers["Host"]);
    }
}

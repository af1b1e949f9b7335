using System.Net;
using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary><c>gateway healthcheck</c> and <c>gateway drain</c> against a running gateway.</summary>
public sealed class ProbeCommandTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject CatchAll() => new()
    {
        ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "a" } },
        ["Clusters"] = new JsonObject { ["a"] = TestGateway.Cluster(backends.A.Url) },
    };

    [Fact]
    public async Task HealthCheck_FindsTheManagementListenerFromTheConfig_AndExitsZero()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());

        var (exit, output, _) = await RunAsync("healthcheck", "--config", gateway.ConfigFile);
        var (readyExit, readyOutput, _) = await RunAsync("healthcheck", "--ready", "--url", gateway.Url("management").ToString());

        Assert.Equal((0, "healthz: ok"), (exit, output.Trim()));
        Assert.Equal((0, "readyz: ready"), (readyExit, readyOutput.Trim()));
    }

    [Fact]
    public async Task HealthCheck_NothingListening_ExitsOne()
    {
        var (exit, _, errors) = await RunAsync("healthcheck", "--url", $"http://127.0.0.1:{FreePort.Get()}");

        Assert.Equal(1, exit);
        Assert.Contains("healthz: no answer from http://127.0.0.1:", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_TurnsReadinessOff_WhileTrafficIsStillServed()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());
        using var management = gateway.CreateClient("management");

        var (exit, output, _) = await RunAsync("drain", "--wait", "0s", "--url", gateway.Url("management").ToString());
        var ready = await management.GetAsync("/readyz");
        var (readyExit, _, readyErrors) = await RunAsync("healthcheck", "--ready", "--url", gateway.Url("management").ToString());

        Assert.Equal(0, exit);
        Assert.Contains("drain: not ready from now on", output, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: draining\n"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal((1, "readyz: 503 not ready: draining"), (readyExit, readyErrors.Trim()));
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.Client.GetAsync("/still-served"))).Backend);
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Drain_IsNotServedOnPublicListeners()
    {
        await using var gateway = await TestGateway.StartAsync(new JsonObject
        {
            ["Routes"] = new JsonObject { ["one"] = new JsonObject { ["Hosts"] = new JsonArray("app.example.com"), ["Cluster"] = "a" } },
            ["Clusters"] = new JsonObject { ["a"] = TestGateway.Cluster(backends.A.Url) },
        });

        var response = await gateway.Client.PostAsync("/drain", content: null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.CreateClient("management").GetAsync("/readyz")).StatusCode);
    }

    [Theory]
    [InlineData(new[] { "healthcheck", "--url", "notaurl" }, "--url needs the management listener's URL")]
    [InlineData(new[] { "drain", "--wait", "soon" }, "--wait needs a duration, like 5s.")]
    [InlineData(new[] { "drain", "--url" }, "--url needs the management listener's URL")]
    public void Parse_BadProbeArguments_AreUsageErrors(string[] args, string expected) =>
        Assert.Contains(expected, GatewayCommandLine.Parse(args).Error, StringComparison.Ordinal);

    [Fact]
    public void Parse_ProbeArguments_AreKept()
    {
        var health = GatewayCommandLine.Parse(["healthcheck", "--ready", "--url", "http://127.0.0.1:9090", "--Gateway:Management:Port=9091"]);
        var drain = GatewayCommandLine.Parse(["drain", "--wait", "10s"]);

        Assert.Equal(("healthcheck", true, "http://127.0.0.1:9090", "--Gateway:Management:Port=9091"), (health.Command, health.Ready, health.Url, health.HostArgs.Single()));
        Assert.Equal(("drain", TimeSpan.FromSeconds(10)), (drain.Command, drain.Wait));
    }

    private static async Task<(int? Exit, string Output, string Errors)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var exit = await GatewayCommandLine.Parse(args).RunCommandAsync(output, errors);
        return (exit, output.ToString(), errors.ToString());
    }
}

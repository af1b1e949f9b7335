using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Configuration;

public sealed class ReloadTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject Config(params (string Id, string Host, string Cluster)[] routes)
    {
        var routeNodes = new JsonObject();
        foreach (var (id, host, cluster) in routes)
        {
            routeNodes[id] = new JsonObject { ["Hosts"] = new JsonArray(host), ["Cluster"] = cluster };
        }

        return new JsonObject
        {
            ["Routes"] = routeNodes,
            ["Clusters"] = new JsonObject { ["a"] = TestGateway.Cluster(backends.A.Url), ["b"] = TestGateway.Cluster(backends.B.Url) },
        };
    }

    [Fact]
    public async Task Reload_AddsARouteWhileALongRequestCompletes()
    {
        await using var gateway = await TestGateway.StartAsync(Config(("a", "a.example.com", "a")));
        var revision = gateway.CurrentConfig.Revision;
        var inFlight = gateway.GetAsync("a.example.com", "/?delay=1500");

        await gateway.RewriteConfigAsync(Config(("a", "a.example.com", "a"), ("b", "b.example.com", "b")));
        await Eventually.TrueAsync(async () => (await gateway.GetAsync("b.example.com")).IsSuccessStatusCode, "the new route");

        Assert.True(gateway.CurrentConfig.Revision > revision);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("b.example.com"))).Backend);
        Assert.False(inFlight.IsCompleted, "the long request should still be running when the new route already works");
        var slow = await inFlight;
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.Equal("a", (await EchoResponse.ReadAsync(slow)).Backend);
        Assert.True(gateway.Logs.Contains("Configuration reloaded"));
    }

    [Fact]
    public async Task Reload_KeepsAnOpenWebSocketWorking()
    {
        await using var gateway = await TestGateway.StartAsync(Config(("a", "a.example.com", "a")));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.SetRequestHeader("Host", "a.example.com");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port()}/ws"), CancellationToken.None);

        await gateway.RewriteConfigAsync(Config(("a", "a.example.com", "a"), ("b", "b.example.com", "b")));
        await Eventually.TrueAsync(async () => (await gateway.GetAsync("b.example.com")).IsSuccessStatusCode, "the new route");

        var message = System.Text.Encoding.UTF8.GetBytes("still here");
        await socket.SendAsync(message, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("still here", System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Fact]
    public async Task Reload_InvalidChangeKeepsTheOldRoutesAndSaysWhy()
    {
        await using var gateway = await TestGateway.StartAsync(Config(("a", "a.example.com", "a")));
        var revision = gateway.CurrentConfig.Revision;

        await gateway.RewriteConfigAsync(Config(("a", "a.example.com", "a"), ("b", "b.example.com", "missing")));
        await Eventually.TrueAsync(() => gateway.Logs.Contains("'missing' is not a cluster"), "the rejection logged");

        Assert.Equal(revision, gateway.CurrentConfig.Revision);
        Assert.True(gateway.Logs.Contains("Configuration change rejected with 1 error(s)"));
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("a.example.com"))).Backend);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("b.example.com")).StatusCode);
    }

    [Fact]
    public async Task Reload_BrokenJsonKeepsServing()
    {
        await using var gateway = await TestGateway.StartAsync(Config(("a", "a.example.com", "a")));
        var revision = gateway.CurrentConfig.Revision;

        await File.WriteAllTextAsync(gateway.ConfigFile, "{ \"Gateway\": { \"Routes\": ");
        await Eventually.TrueAsync(() => gateway.Logs.Contains("cannot be read as JSON"), "the parse error logged");

        Assert.Equal(revision, gateway.CurrentConfig.Revision);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("a.example.com"))).Backend);
    }

    [Fact]
    public async Task Reload_NewConfDFileIsPickedUp()
    {
        await using var gateway = await TestGateway.StartAsync(
            Config(("a", "a.example.com", "a")),
            new Dictionary<string, object> { ["00-empty.json"] = new { } });
        var revision = gateway.CurrentConfig.Revision;

        var file = Path.Combine(gateway.Directory, "config", "conf.d", "50-b.json");
        await File.WriteAllTextAsync(file, """{"Gateway":{"Routes":{"b":{"Hosts":["b.example.com"],"Cluster":"b"}}}}""");
        await Eventually.TrueAsync(async () => (await gateway.GetAsync("b.example.com")).IsSuccessStatusCode, "the conf.d route");

        Assert.True(gateway.CurrentConfig.Revision > revision);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("b.example.com"))).Backend);
    }
}

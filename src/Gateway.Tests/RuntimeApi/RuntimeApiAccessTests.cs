using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// The runtime API driving real traffic, as an agent drives HAProxy: <c>add acl</c> opens a protected route,
/// <c>del acl</c> closes it, <c>add map</c> issues a KAT that redeems exactly once, server states move traffic, and
/// every change is audited and survives a reload.
/// </summary>
public sealed class RuntimeApiAccessTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    [Fact]
    public async Task AddAcl_OpensTheProtectedRoute_DelAclClosesIt()
    {
        await using var gateway = await TestGateway.StartAsync(Protected("ip"));

        Assert.Equal(HttpStatusCode.Forbidden, (await gateway.GetAsync("app.test")).StatusCode);

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "add acl #500 127.0.0.1\n"));
        var allowed = await gateway.GetAsync("app.test");
        Assert.Equal("a", (await EchoResponse.ReadAsync(allowed)).Backend);

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "del acl #500 127.0.0.1\n"));
        Assert.Equal(HttpStatusCode.Forbidden, (await gateway.GetAsync("app.test")).StatusCode);

        Assert.True(gateway.Logs.Contains("Audit: socket:admin.sock add 127.0.0.1 to list knoc."), "the change is audited with the socket");
        Assert.True(gateway.Logs.Contains("Audit: socket:admin.sock remove 127.0.0.1 from list knoc."));
    }

    [Fact]
    public async Task AddAcl_Cidr_AllowsTheWholeRange_OverTcpAuditedWithTheEndPoint()
    {
        await using var gateway = await TestGateway.StartAsync(Protected("ip"));

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Tcp(), "add acl knoc 127.0.0.0/8\n"));

        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("app.test")).StatusCode);
        Assert.True(gateway.Logs.Contains($"Audit: socket:{gateway.Tcp()} add 127.0.0.0/8 to list knoc."));
    }

    [Fact]
    public async Task AddMap_IssuesAKatThatRedeemsOnce()
    {
        await using var gateway = await TestGateway.StartAsync(Protected("kat"));

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "add map #501 kat-7f3c9a1e-runtime user=alice\n"));
        Assert.Matches("^0x[0-9a-f]+ kat-7f3c9a1e-runtime user=alice\n\n$", await CliClient.SendAsync(gateway.Unix(), "show map #501\n"));

        var first = await gateway.GetAsync("app.test", "/page?kat=kat-7f3c9a1e-runtime");
        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal("/page", first.Headers.Location?.OriginalString);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("gw_session_knoc=", cookie, StringComparison.Ordinal);

        var request = new HttpRequestMessage(HttpMethod.Get, "/page");
        request.Headers.Host = "app.test";
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.SendAsync(request)).StatusCode);

        var second = await gateway.GetAsync("app.test", "/page?kat=kat-7f3c9a1e-runtime");
        Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "show map #501\n"));
    }

    [Fact]
    public async Task RuntimeEntry_SurvivesAConfigReload()
    {
        var config = Protected("ip");
        await using var gateway = await TestGateway.StartAsync(config);
        await CliClient.SendAsync(gateway.Unix(), "add acl #500 127.0.0.1;add map #501 kat-kept user=bob\n");
        var revision = gateway.CurrentConfig.Revision;

        config["Routes"]!["app"]!["Order"] = 5;
        await gateway.RewriteConfigAsync(config);
        await Eventually.TrueAsync(() => gateway.CurrentConfig.Revision > revision, "the reload");

        Assert.Matches("^0x[0-9a-f]+ 127.0.0.1\n\n$", await CliClient.SendAsync(gateway.Unix(), "show acl #500\n"));
        Assert.Matches("^0x[0-9a-f]+ kat-kept user=bob\n\n$", await CliClient.SendAsync(gateway.Unix(), "show map #501\n"));
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("app.test")).StatusCode);
    }

    [Fact]
    public async Task RuntimeChanges_SurviveARestart()
    {
        var first = await TestGateway.StartAsync(Protected("ip"));
        await CliClient.SendAsync(first.Unix(),
            "add acl #500 127.0.0.1;add acl #500 192.0.2.7;del acl #500 192.0.2.7;add map #501 kat-durable-0123 user=carol;" +
            "prepare acl #502;add acl @1 #502 10.1.0.0/16;commit acl @1 #502\n");

        await using var second = await first.RestartAsync();

        Assert.Matches("^0x[0-9a-f]+ 127.0.0.1\n\n$", await CliClient.SendAsync(second.Unix(), "show acl #500\n"));
        Assert.Matches("^0x[0-9a-f]+ 10.1.0.0/16\n\n$", await CliClient.SendAsync(second.Unix(), "show acl #502\n"));
        // Tokens are stored as hashes only: after a restart a token is shown by its hash, and still found by its value.
        Assert.Matches("^0x[0-9a-f]+ sha256:[0-9a-f]{64} user=carol\n\n$", await CliClient.SendAsync(second.Unix(), "show map #501\n"));
        Assert.StartsWith("type=str, case=sensitive, found=yes", await CliClient.SendAsync(second.Unix(), "get map #501 kat-durable-0123\n"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("app.test")).StatusCode);
    }

    [Fact]
    public async Task ShowAcl_EntryCount_IsTheRealCountIncludingPreparedEntries()
    {
        await using var gateway = await TestGateway.StartAsync(Protected("ip"));

        await CliClient.SendAsync(gateway.Unix(),
            "add acl #500 192.0.2.1;add acl #500 192.0.2.1;add acl #500 192.0.2.2;del acl #500 192.0.2.1;del acl #500 192.0.2.1;" +
            "prepare acl #500;add acl @1 #500 192.0.2.3;add acl @1 #500 192.0.2.4\n");
        var listing = await CliClient.SendAsync(gateway.Unix(), "show acl\n");

        Assert.Contains("500 (knoc) acl 'src' file 'Gateway:Access:Lists:knoc' line 0. curr_ver=0 next_ver=1 entry_cnt=3\n", listing, StringComparison.Ordinal);
        Assert.Contains("502 (office) acl 'src' file 'Gateway:Access:Lists:office' line 0. curr_ver=0 next_ver=0 entry_cnt=1\n", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitAcl_ReplacesTheWholeListAtOnce()
    {
        await using var gateway = await TestGateway.StartAsync(Protected("ip"));
        await CliClient.SendAsync(gateway.Unix(), "add acl #500 192.0.2.1;prepare acl #500;add acl @1 #500 127.0.0.1\n");
        Assert.Equal(HttpStatusCode.Forbidden, (await gateway.GetAsync("app.test")).StatusCode);

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "commit acl @1 #500\n"));

        Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync("app.test")).StatusCode);
        Assert.Matches("^0x[0-9a-f]+ 127.0.0.1\n\n$", await CliClient.SendAsync(gateway.Unix(), "show acl #500\n"));
        Assert.True(gateway.Logs.Contains("Audit: socket:admin.sock replace list knoc with 1 entries."));
    }

    [Fact]
    public async Task SetServerState_MovesTrafficBetweenDestinations()
    {
        var config = RuntimeApiSockets.Config();
        config["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backends.A.Url, backends.B.Url) };
        await using var gateway = await TestGateway.StartAsync(config);

        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "set server app/d0 state maint\n"));
        Assert.All(await BackendsOfAsync(gateway, 6), b => Assert.Equal("b", b));

        Assert.Equal("\n\n", await CliClient.SendAsync(gateway.Unix(), "set server app/d0 state ready;set server app/d1 state drain\n"));
        Assert.All(await BackendsOfAsync(gateway, 6), b => Assert.Equal("a", b));

        await CliClient.SendAsync(gateway.Unix(), "enable server app/d1\n");
        Assert.Equal(["a", "b"], (await BackendsOfAsync(gateway, 6)).Distinct().Order());
        Assert.True(gateway.Logs.Contains("Audit: socket:admin.sock set destination app/d1 to drain."));
    }

    private static async Task<List<string>> BackendsOfAsync(TestGateway gateway, int requests)
    {
        var seen = new List<string>();
        for (var i = 0; i < requests; i++)
        {
            seen.Add((await EchoResponse.ReadAsync(await gateway.GetAsync("app.test"))).Backend);
        }

        return seen;
    }

    private JsonObject Protected(string policy)
    {
        var config = RuntimeApiSockets.Config(backend: backends.A.Url);
        config["Routes"]!["app"]!["Access"] = new JsonObject { ["Policy"] = policy, ["List"] = "knoc" };
        return config;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.Tests.Tcp;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Observability;

/// <summary>The capabilities' own series at <c>/metrics</c>, moved by real traffic and real changes.</summary>
public sealed partial class MetricsTests
{
    [Fact]
    public async Task KatRedemptions_AndFailures_AreCountedByListAndReason()
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "kat"));
        using var management = gateway.CreateClient("management");
        var token = await AccessScenario.IssueAsync(gateway);
        var issued = await ScrapeAsync(management);

        await AccessScenario.RedeemAsync(gateway.Client, token);
        var replayed = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + token);
        await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=never-issued");
        var after = await ScrapeAsync(management);

        Assert.Equal(HttpStatusCode.Forbidden, replayed.StatusCode);
        Assert.Equal(1, issued.Sum("gateway_kat_tokens", ("list", "confluence")));
        Assert.Equal(0, issued.Sum("gateway_kat_redemptions_total"));
        Assert.Equal(1, after.Sum("gateway_kat_redemptions_total", ("list", "confluence")));
        Assert.Equal(2, after.Sum("gateway_kat_redemption_failures_total", ("list", "confluence"), ("reason", "kat-unknown")));
        Assert.Equal(0, after.Sum("gateway_kat_tokens", ("list", "confluence")));
        Assert.Equal(1, after.Sum("gateway_sessions", ("list", "confluence")));
        Assert.Equal("counter", after.Types["gateway_kat_redemption_failures_total"]);
    }

    [Fact]
    public async Task ExpiredKat_IsCountedAsItsOwnReason()
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "kat"));
        using var management = gateway.CreateClient("management");
        var token = await AccessScenario.IssueAsync(gateway, lifetime: TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, (await ScrapeAsync(management)).Sum("gateway_kat_redemption_failures_total", ("list", "confluence"), ("reason", "kat-expired")));
    }

    [Fact]
    public async Task AccessListEntries_FollowAnAddedEntry_AndTheJournalWriteIsTimed()
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "ip", "203.0.113.9"));
        using var management = gateway.CreateClient("management");
        var before = await ScrapeAsync(management);

        await AccessLists.AddAsync(gateway, "confluence", "127.0.0.1");
        var after = await ScrapeAsync(management);

        Assert.Equal(1, before.Sum("gateway_access_list_entries", ("list", "confluence")));
        Assert.Equal(2, after.Sum("gateway_access_list_entries", ("list", "confluence")));
        Assert.Equal(1, after.Sum("gateway_access_list_entries", ("list", "grafana")));
        Assert.Equal("gauge", after.Types["gateway_access_list_entries"]);
        Assert.True(after.Sum("gateway_store_journal_write_duration_seconds_count") > before.Sum("gateway_store_journal_write_duration_seconds_count"));
        Assert.Equal("histogram", after.Types["gateway_store_journal_write_duration_seconds"]);
    }

    [Fact]
    public async Task ServedCertificate_ShowsItsSecondsToExpiry()
    {
        var config = App();
        config["Listeners"] = new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 },
            ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0, ["Protocol"] = "https" },
        };
        config["Tls"] = new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true, ["Hosts"] = new JsonArray("app.example.com") } };
        await using var gateway = await TestGateway.StartAsync(config);
        using var management = gateway.CreateClient("management");

        var served = await TlsProbe.HandshakeAsync(gateway.Port("https"), "app.example.com");
        var scrape = await ScrapeAsync(management);

        var sample = Assert.Single(scrape.Samples, s => s.Name == "gateway_certificate_expiry_seconds" && s.Has(("host", "app.example.com")));
        var expected = (served.Certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
        Assert.InRange(sample.Value, expected - 60, expected + 60);
        Assert.True(sample.Value > 86_400, $"a fresh certificate has days left, not {sample.Value} s");
        Assert.StartsWith("self-signed", sample.Labels["source"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TcpConnections_AreCountedByListenerAndDecision()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Access"] = TcpConfigs.Access("127.0.0.1/32");
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);
        using var management = gateway.CreateClient("management");

        await using (var listed = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal("git", await listed.ReadLineAsync());
            listed.Socket.Shutdown(SocketShutdown.Send);
            await listed.ReadToEndAsync();
        }

        await using (var other = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: IPAddress.Parse("127.0.0.2")))
        {
            await other.ReadToEndAsync();
        }

        PrometheusScrape scrape = null!;
        await Eventually.TrueAsync(
            async () => (scrape = await ScrapeAsync(management)).Sum("gateway_tcp_connections_total", ("listener", "ssh")) == 2, "both connections counted");
        Assert.Equal(1, scrape.Sum("gateway_tcp_connections_total", ("listener", "ssh"), ("route", "git"), ("cluster", "git"), ("decision", "allow")));
        Assert.Equal(1, scrape.Sum("gateway_tcp_connections_total", ("listener", "ssh"), ("route", "git"), ("cluster", "-"), ("decision", "deny")));
    }
}

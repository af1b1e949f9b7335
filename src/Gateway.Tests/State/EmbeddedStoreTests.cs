using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.State;

/// <summary>The default store: what was acknowledged is there after a restart, whatever happened to the files' tail.</summary>
public sealed class EmbeddedStoreTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject Config(int? compactAfter = null)
    {
        var config = AccessScenario.Config(backends.A.Url, "ip+kat", "10.9.9.9");
        if (compactAfter is { } n)
        {
            config["State"] = new JsonObject { ["CompactAfter"] = n };
        }

        return config;
    }

    private static AccessWriter Writer(TestGateway gateway) => gateway.Services.GetRequiredService<AccessWriter>();

    private static AccessList List(TestGateway gateway, string name = "confluence")
    {
        Assert.True(gateway.Services.GetRequiredService<AccessState>().TryGetList(name, out var list));
        return list;
    }

    private static async Task AddAsync(TestGateway gateway, string pattern, TimeSpan? ttl = null)
    {
        Assert.True(IpPattern.TryParse(pattern, out var parsed));
        await Writer(gateway).AddEntryAsync(List(gateway), pattern, parsed, ttl, "test");
    }

    [Fact]
    public async Task Restart_KeepsRuntimeEntriesTokensAndSessions()
    {
        var first = await TestGateway.StartAsync(Config());
        await AddAsync(first, "127.0.0.1");
        await AddAsync(first, "2001:db8::/48", TimeSpan.FromHours(1));
        var cookie = await AccessScenario.RedeemAsync(first.Client, await AccessScenario.IssueAsync(first));
        var unredeemed = await AccessScenario.IssueAsync(first, value: "bob");
        await Writer(first).RemovePatternAsync(List(first), "2001:db8::/48", "test");

        await using var second = await first.RestartAsync();

        Assert.Equal(["10.9.9.9", "127.0.0.1"], List(second).Entries.Select(e => e.Pattern));
        Assert.Contains("Access state loaded", string.Join('\n', second.Logs.Entries.Select(e => e.Message)), StringComparison.Ordinal);
        // The session cookie from before the restart still opens the route: session and key ring both survived.
        Assert.Equal(HttpStatusCode.OK, (await AccessScenario.SendAsync(second.Client, AccessScenario.Host, "/", cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await AccessScenario.SendAsync(second.Client, AccessScenario.Host, "/?kat=" + unredeemed)).StatusCode);
    }

    [Fact]
    public async Task Restart_ARedeemedTokenStaysUsed()
    {
        var first = await TestGateway.StartAsync(Config());
        await AddAsync(first, "127.0.0.1");
        var token = await AccessScenario.IssueAsync(first);
        await AccessScenario.RedeemAsync(first.Client, token);

        await using var second = await first.RestartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await AccessScenario.SendAsync(second.Client, AccessScenario.Host, "/?kat=" + token)).StatusCode);
    }

    [Fact]
    public async Task TornJournalTail_IsCutAtTheLastGoodRecordWithALogLine()
    {
        var first = await TestGateway.StartAsync(Config());
        await AddAsync(first, "192.0.2.1");
        await AddAsync(first, "192.0.2.2");
        await first.StopAsync();
        var journal = Path.Combine(first.Directory, "state", "access", "journal.log");
        var good = await File.ReadAllBytesAsync(journal);
        // A crash in the middle of the third write: half a record, no newline.
        await File.AppendAllTextAsync(journal, "1a2b3c4d {\"seq\":3,\"change\":{\"type\":\"entry-add");

        await using var second = await first.RestartAsync();

        Assert.Equal(["10.9.9.9", "192.0.2.1", "192.0.2.2"], List(second).Entries.Select(e => e.Pattern));
        Assert.True(second.Logs.Contains("ends in a torn or damaged record at byte " + good.Length));
        Assert.Equal(good.Length, new FileInfo(journal).Length);
        // The store goes on appending after the cut: a new entry survives the next restart too.
        await AddAsync(second, "192.0.2.3");
        await using var third = await second.RestartAsync();
        Assert.Equal(["10.9.9.9", "192.0.2.1", "192.0.2.2", "192.0.2.3"], List(third).Entries.Select(e => e.Pattern));
    }

    [Fact]
    public async Task DamagedRecordInTheMiddle_KeepsWhatCameBeforeIt()
    {
        var first = await TestGateway.StartAsync(Config());
        await AddAsync(first, "192.0.2.1");
        await AddAsync(first, "192.0.2.2");
        await AddAsync(first, "192.0.2.3");
        await first.StopAsync();
        var journal = Path.Combine(first.Directory, "state", "access", "journal.log");
        var lines = await File.ReadAllLinesAsync(journal);
        lines[1] = lines[1].Replace("192.0.2.2", "192.0.2.9", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(journal, lines);

        await using var second = await first.RestartAsync();

        Assert.Equal(["10.9.9.9", "192.0.2.1"], List(second).Entries.Select(e => e.Pattern));
        Assert.True(second.Logs.Contains("torn or damaged record"));
    }

    [Fact]
    public async Task Compaction_WritesASnapshotAndTheRestartReadsIt()
    {
        var first = await TestGateway.StartAsync(Config(compactAfter: 100));
        for (var i = 0; i < 250; i++)
        {
            await AddAsync(first, $"198.51.100.{i}");
        }

        var directory = Path.Combine(first.Directory, "state", "access");
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(directory, "snapshot.json")) && !File.Exists(Path.Combine(directory, "journal.old")), "a snapshot");
        // The journal was cut: it no longer holds every change since the start.
        Assert.True((await File.ReadAllLinesAsync(Path.Combine(directory, "journal.log"))).Length < 250);

        await using var second = await first.RestartAsync();

        Assert.Equal(251, List(second).Count);
        Assert.True(List(second).Contains(IpKey.From(IPAddress.Parse("198.51.100.249")), 0));
    }

    [Fact]
    public async Task Files_AreOwnerOnly()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        await AddAsync(gateway, "192.0.2.1");

        var directory = Path.Combine(gateway.Directory, "state", "access");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "journal.log")));
    }

    [Fact]
    public async Task Journal_HoldsNoToken()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        var token = await AccessScenario.IssueAsync(gateway);
        await gateway.StopAsync();

        var journal = await File.ReadAllTextAsync(Path.Combine(gateway.Directory, "state", "access", "journal.log"));

        Assert.Contains("token-issued", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(token, journal, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.State;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace Gateway.Tests.State;

/// <summary>Two gateways sharing one real PostgreSQL: what one is told, the other acts on.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync("app");

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    private JsonObject Config(string connectionString, string policy = "ip", string grace = "5m")
    {
        var config = AccessScenario.Config(_backend.Url, policy, "10.9.9.9");
        config["State"] = new JsonObject
        {
            ["Store"] = "postgres",
            ["Postgres"] = new JsonObject { ["ConnectionString"] = connectionString, ["GracePeriod"] = grace },
        };
        return config;
    }

    private static AccessWriter Writer(TestGateway gateway) => gateway.Services.GetRequiredService<AccessWriter>();

    private static AccessList List(TestGateway gateway)
    {
        Assert.True(gateway.Services.GetRequiredService<AccessState>().TryGetList("confluence", out var list));
        return list;
    }

    private static async Task AddAsync(TestGateway gateway, string pattern)
    {
        Assert.True(IpPattern.TryParse(pattern, out var parsed));
        await Writer(gateway).AddEntryAsync(List(gateway), pattern, parsed, null, "test");
    }

    [Fact]
    public async Task EntryAddedOnA_OpensTheRouteOnB()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database));
        await using var b = await TestGateway.StartAsync(Config(database));
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync(AccessScenario.Host)).StatusCode);

        var watch = Stopwatch.StartNew();
        await AddAsync(a, "127.0.0.1");
        var acknowledged = watch.Elapsed;
        await Eventually.TrueAsync(() => List(b).Contains(IpKey.From(IPAddress.Loopback), 0), "the entry on B");
        output.WriteLine($"add acknowledged by A after {acknowledged.TotalMilliseconds:0.0} ms; applied on B after {watch.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(AccessScenario.Host)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync(AccessScenario.Host)).StatusCode);
    }

    [Fact]
    public async Task KatRacedAcrossTwoReplicas_IsRedeemedOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database, "kat"));
        await using var b = await TestGateway.StartAsync(Config(database, "kat"));
        var token = await AccessScenario.IssueAsync(a);
        await Eventually.TrueAsync(() => b.Services.GetRequiredService<AccessState>().TryGetMap("confluence", out var map) && map.Count == 1, "the token on B");

        var clients = Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? a : b).CreateClient()).ToList();
        var responses = await Task.WhenAll(clients.Select(c => AccessScenario.SendAsync(c, AccessScenario.Host, "/?kat=" + token)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Found);
        Assert.Equal(99, responses.Count(r => r.StatusCode == HttpStatusCode.Forbidden));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task CookieFromA_IsAcceptedByB_AndRevocationOnBClosesA()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database, "kat"));
        await using var b = await TestGateway.StartAsync(Config(database, "kat"));
        var cookie = await AccessScenario.RedeemAsync(a.Client, await AccessScenario.IssueAsync(a));

        await Eventually.TrueAsync(async () => (await AccessScenario.SendAsync(b.Client, AccessScenario.Host, "/", cookie)).StatusCode == HttpStatusCode.OK, "B accepting A's cookie");

        await Writer(b).RevokeSessionsAsync(null, "alice", null, "test");
        await Eventually.TrueAsync(async () => (await AccessScenario.SendAsync(a.Client, AccessScenario.Host, "/", cookie)).StatusCode == HttpStatusCode.Forbidden, "A refusing the revoked session");
        Assert.Equal(HttpStatusCode.Forbidden, (await AccessScenario.SendAsync(b.Client, AccessScenario.Host, "/", cookie)).StatusCode);
    }

    [Fact]
    public async Task NewReplica_LoadsTheWholeStateAtStart()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database));
        for (var i = 0; i < 20; i++)
        {
            await AddAsync(a, $"192.0.2.{i}");
        }

        await Writer(a).RemovePatternAsync(List(a), "192.0.2.7", "test");
        await using var late = await TestGateway.StartAsync(Config(database));

        Assert.Equal(List(a).Entries.Select(e => (e.Id, e.Pattern)), List(late).Entries.Select(e => (e.Id, e.Pattern)));
        Assert.Equal(20, List(late).Count);
    }

    [Fact]
    public async Task DatabaseRestartedUnderLoad_BothReplicasConvergeWithoutLosingAnAcknowledgedWrite()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database));
        await using var b = await TestGateway.StartAsync(Config(database));
        var acknowledged = new List<string>();
        var refused = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            var gateway = w == 0 ? a : b;
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var pattern = $"10.{w + 1}.{i / 250}.{i % 250}";
                try
                {
                    await AddAsync(gateway, pattern);
                    lock (acknowledged)
                    {
                        acknowledged.Add(pattern);
                    }
                }
                catch (StoreUnavailableException)
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(20);
                }
            }
        })).ToList();

        await Eventually.TrueAsync(() => { lock (acknowledged) { return acknowledged.Count > 50; } }, "writes before the restart");
        await postgres.StopAsync();
        await Eventually.TrueAsync(() => Volatile.Read(ref refused) > 5, "writes refused while the database is down");
        await postgres.StartAsync();
        var before = acknowledged.Count;
        await Eventually.TrueAsync(() => { lock (acknowledged) { return acknowledged.Count > before + 50; } }, "writes after the restart", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        output.WriteLine($"{acknowledged.Count} writes acknowledged, {refused} refused while the database was down");
        foreach (var gateway in new[] { a, b })
        {
            await Eventually.TrueAsync(
                () => acknowledged.All(p => List(gateway).Entries.Any(e => e.Pattern == p)),
                "every acknowledged entry on both replicas", TimeSpan.FromSeconds(30));
        }

        Assert.Equal(List(a).Entries.Select(e => e.Id), List(b).Entries.Select(e => e.Id));
    }

    [Fact]
    public async Task DatabaseDown_WritesAreRefusedClearly_ReadinessSaysSo_DecisionsGoOnUntilTheGracePeriodEnds()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var gateway = await TestGateway.StartAsync(Config(database, grace: "3s"));
        await AddAsync(gateway, "127.0.0.1");
        using var management = gateway.CreateClient("management");
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/readyz")).StatusCode);

        await postgres.StopAsync();
        try
        {
            var refusal = await Assert.ThrowsAsync<StoreUnavailableException>(() => AddAsync(gateway, "192.0.2.1"));
            Assert.Contains("the database is unreachable", refusal.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(List(gateway).Entries, e => e.Pattern == "192.0.2.1");

            // Within the grace period the last state still decides; readiness and the log say what is wrong.
            Assert.Equal(HttpStatusCode.OK, (await gateway.GetAsync(AccessScenario.Host)).StatusCode);
            await Eventually.TrueAsync(async () => (await management.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "not ready");
            Assert.Contains("database is unreachable", await (await management.GetAsync("/readyz")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(gateway.Logs.Contains("PostgreSQL is unreachable"));

            // Past it, protected routes refuse rather than decide on state that may miss revocations.
            await Eventually.TrueAsync(async () => (await gateway.GetAsync(AccessScenario.Host)).StatusCode == HttpStatusCode.Forbidden, "refusing after the grace period");
            Assert.Contains("state-unavailable", await (await gateway.GetAsync(AccessScenario.Host)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await postgres.StartAsync();
        }

        await Eventually.TrueAsync(async () => (await gateway.GetAsync(AccessScenario.Host)).StatusCode == HttpStatusCode.OK, "deciding again", TimeSpan.FromSeconds(60));
        await AddAsync(gateway, "192.0.2.1");
        Assert.Equal(HttpStatusCode.OK, (await management.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task DatabaseDown_KatRedemptionIsRefusedAsStateUnavailable_AndTheTokenStillWorksAfterward()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var gateway = await TestGateway.StartAsync(Config(database, "kat"));
        var token = await AccessScenario.IssueAsync(gateway);

        await postgres.StopAsync();
        try
        {
            // A redemption that cannot be recorded is an access refusal saying why, never a 500, and uses nothing up.
            var refused = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/?kat=" + token);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("state-unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(refused.Headers.Contains("Set-Cookie"));
            Assert.True(gateway.Logs.Contains("the token stays unused"));
        }
        finally
        {
            await postgres.StartAsync();
        }

        using var management = gateway.CreateClient("management");
        await Eventually.TrueAsync(async () => (await management.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "ready again", TimeSpan.FromSeconds(60));
        var cookie = await AccessScenario.RedeemAsync(gateway.Client, token);
        Assert.Equal(HttpStatusCode.OK, (await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/", cookie)).StatusCode);
    }

    [Fact]
    public async Task Schema_IsCreatedWithItsVersionRecorded()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT max(version) FROM gateway.schema_version", connection);

        Assert.Equal(2, (int)(await command.ExecuteScalarAsync())!);
        Assert.True(a.Logs.Contains("PostgreSQL schema gateway at version 2 (2 migrations applied now)."));
    }

    [Fact]
    public async Task SchemaAtVersion1_IsMigratedToTheAcmeTables_KeepingItsState()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = await TestGateway.StartAsync(Config(database)))
        {
            await AddAsync(first, "127.0.0.1");
        }

        // What a gateway from before the ACME tables left behind.
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var downgrade = new NpgsqlCommand(
                "DROP TABLE gateway.acme_accounts, gateway.acme_certificates, gateway.acme_challenges; DELETE FROM gateway.schema_version WHERE version = 2", connection);
            await downgrade.ExecuteNonQueryAsync();
        }

        await using var upgraded = await TestGateway.StartAsync(Config(database));

        Assert.True(upgraded.Logs.Contains("PostgreSQL schema gateway at version 2 (1 migrations applied now)."));
        Assert.Equal(HttpStatusCode.OK, (await upgraded.GetAsync(AccessScenario.Host)).StatusCode);
        await using var check = new NpgsqlConnection(database);
        await check.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM gateway.acme_accounts", check);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }
}

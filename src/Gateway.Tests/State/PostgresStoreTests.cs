using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Gateway.Access.Lists;
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
    public async Task Schema_IsCreatedWithItsVersionRecorded()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var a = await TestGateway.StartAsync(Config(database));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT max(version) FROM gateway.schema_version", connection);

        Assert.Equal(1, (int)(await command.ExecuteScalarAsync())!);
        Assert.True(a.Logs.Contains("PostgreSQL schema gateway at version 1 (1 migrations applied now)."));
    }
}

using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.State;

/// <summary>The PostgreSQL store's sync lag at <c>/metrics</c>: a change made on one replica, timed to its application on the other.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSyncLagTests(PostgresServer postgres)
{
    [Fact]
    public async Task EntryAddedOnA_IsTimedWhenBAppliesIt()
    {
        await using var backend = await TestBackend.StartAsync("app");
        var database = await postgres.CreateDatabaseAsync();
        JsonObject Config()
        {
            var config = AccessScenario.Config(backend.Url, "ip");
            config["State"] = new JsonObject { ["Store"] = "postgres", ["Postgres"] = new JsonObject { ["ConnectionString"] = database } };
            return config;
        }

        await using var a = await TestGateway.StartAsync(Config());
        await using var b = await TestGateway.StartAsync(Config());
        using var management = b.CreateClient("management");
        var before = await ScrapeAsync(management);

        await AccessLists.AddAsync(a, "confluence", "127.0.0.1");

        PrometheusScrape after = before;
        await Eventually.TrueAsync(
            async () =>
            {
                after = await ScrapeAsync(management);
                return after.Sum("gateway_access_list_entries", ("list", "confluence")) == 1 &&
                    after.Sum("gateway_store_sync_lag_seconds_count") > before.Sum("gateway_store_sync_lag_seconds_count");
            },
            "the entry applied on B, and timed");
        var count = after.Sum("gateway_store_sync_lag_seconds_count") - before.Sum("gateway_store_sync_lag_seconds_count");
        var seconds = after.Sum("gateway_store_sync_lag_seconds_sum") - before.Sum("gateway_store_sync_lag_seconds_sum");
        Assert.Equal(1, count);
        Assert.InRange(seconds, 0, 5);
        Assert.Equal("histogram", after.Types["gateway_store_sync_lag_seconds"]);
    }

    private static async Task<PrometheusScrape> ScrapeAsync(HttpClient management) =>
        PrometheusScrape.Parse(await (await management.GetAsync("/metrics")).Content.ReadAsStringAsync());
}

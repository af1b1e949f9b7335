using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Gateway.Knock;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Knock;

/// <summary>
/// The portal on the PostgreSQL store while the database is down: "Allow my IP" and "Revoke" say plainly that nothing
/// could be recorded (never a 500), and a grant that ends meanwhile still ends its user's sessions once the database
/// is back. A PostgreSQL server of this class's own, since the test stops it.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class PortalOutageTests(KnockFixture fixture, PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly Dictionary<string, string> Confluence = new() { ["app"] = "confluence" };

    private async Task<KnockSite> StartAsync(ManualTimeProvider clock)
    {
        var database = await postgres.CreateDatabaseAsync();
        return await KnockSite.StartAsync(fixture.Provider, fixture.Backend, config =>
        {
            config["State"] = new JsonObject
            {
                ["Store"] = "postgres",
                ["Postgres"] = new JsonObject { ["ConnectionString"] = database, ["GracePeriod"] = "10h" },
            };
            config["Access"]!["Sessions"] = new JsonObject { ["IdleTimeout"] = "8h" };
            config["Knock"]!["Portal"]!["SignInLifetime"] = "8h";
        }, builder => builder.Services.AddSingleton<TimeProvider>(clock));
    }

    private static AccessState State(KnockSite site) => site.Gateway.Services.GetRequiredService<AccessState>();

    [Fact]
    public async Task DatabaseDown_AllowAndRevokeAnswer503AndChangeNothing_AGrantEndingMeanwhileEndsItsSessionsLater()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var site = await StartAsync(clock);
        using var alice = await site.SignedInAsync("alice");
        using var bob = await site.SignedInAsync("bob");
        var app = await alice.FollowAsync((await alice.SubmitAsync(site.Portal, "/allow", Confluence)).Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, app.Response.StatusCode);
        var watcher = site.Gateway.Services.GetRequiredService<GrantWatcher>();
        await watcher.CheckOnceAsync();
        var entries = State(site).Lists.Sum(l => l.Count);

        await postgres.StopAsync();
        try
        {
            var allow = await bob.SubmitAsync(site.Portal, "/allow", Confluence);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, allow.StatusCode);
            Assert.Contains("cannot be recorded right now", await allow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var revoke = await alice.SubmitAsync(site.Portal, "/revoke", Confluence);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, revoke.StatusCode);
            Assert.Equal(entries, State(site).Lists.Sum(l => l.Count));
            Assert.Single(State(site).Sessions.All);

            // Alice's 4h grant runs out while the database is away: her session cannot be revoked yet, and the
            // watcher says so and keeps her in mind rather than failing or forgetting.
            clock.Advance(TimeSpan.FromHours(4) + TimeSpan.FromSeconds(1));
            Assert.Equal(0, await watcher.CheckOnceAsync());
            Assert.True(site.Gateway.Logs.Contains("The last grant of alice on list confluence ended, but their sessions could not be revoked yet (will retry)"));
        }
        finally
        {
            await postgres.StartAsync();
        }

        await Eventually.TrueAsync(async () => await watcher.CheckOnceAsync() == 1, "the grant's end recorded once the database is back", TimeSpan.FromSeconds(60));
        Assert.Empty(State(site).Sessions.All);
        Assert.True(site.Gateway.Logs.Contains("The last grant of alice on list confluence ended; 1 session(s) of theirs revoked."));
    }
}

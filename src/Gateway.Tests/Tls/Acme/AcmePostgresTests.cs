using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Gateway.Tests.Tls.Acme;

/// <summary>
/// Replicas sharing one PostgreSQL obtain ACME certificates from a real pebble: one account, one order, the same
/// certificate everywhere. Pebble's DNS sends every validation to 127.0.0.1; the replicas listen on other loopback
/// addresses (127.0.0.2, 127.0.0.3), all on the ports pebble validates. In the PostgreSQL collection (one database server for all), with a
/// pebble of its own (pebble's ports are per instance, so it runs beside the pebble collection).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AcmePostgresTests(PostgresServer postgres, PebbleFixture fixture, ITestOutputHelper output) : IClassFixture<PebbleFixture>
{
    private static readonly IPAddress ReplicaA = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress ReplicaB = IPAddress.Parse("127.0.0.3");

    private PebbleServer Pebble => fixture.Pebble;

    [Fact]
    public async Task TwoReplicas_OrderOnce_ServeTheSameCertificate_AndARestartedReplicaReusesIt()
    {
        var database = await postgres.CreateDatabaseAsync();
        var (orders, accounts) = (Pebble.Created(), Pebble.Created("accounts in memory"));
        // Pebble validates on 127.0.0.1, as a load balancer would send it: there, a third replica without ACME routes
        // of its own is up before A and B start, so whichever of them orders, the validation finds a replica.
        await using var front = await TestGateway.StartAsync(Plain(Config(Pebble, database, IPAddress.Loopback, "http-01", "shared.gw.test")));

        var started = Stopwatch.StartNew();
        var starting = new[] { ReplicaA, ReplicaB }.Select(a => TestGateway.StartAsync(Config(Pebble, database, a, "http-01", "shared.gw.test"))).ToArray();
        await using var a = await starting[0];
        await using var b = await starting[1];
        var onA = await IssuedAsync(Pebble, ReplicaA, "shared.gw.test");
        var onB = await IssuedAsync(Pebble, ReplicaB, "shared.gw.test");
        output.WriteLine($"both replicas serve the certificate {started.ElapsedMilliseconds} ms after starting together");
        foreach (var (gateway, replica) in new[] { (a, "A"), (b, "B") })
        {
            foreach (var line in gateway.Logs.Entries.Where(e => e.Id.Id is >= 653 and < 700 and not 660))
            {
                output.WriteLine($"{replica}: {line.Message}");
            }
        }

        Assert.Equal(onA.Certificate.Thumbprint, onB.Certificate.Thumbprint);
        Assert.Equal(orders + 1, Pebble.Created());
        Assert.Equal(accounts + 1, Pebble.Created("accounts in memory"));
        Assert.Single(new[] { a, b }, g => g.Logs.Contains("Obtained a certificate for shared.gw.test"));
        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM gateway.acme_accounts"));
        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM gateway.acme_accounts WHERE account IS NOT NULL"));
        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM gateway.acme_certificates"));
        Assert.Equal(0L, await ScalarAsync(database, "SELECT count(*) FROM gateway.acme_challenges"));
        Assert.True(front.Logs.Contains("Answered an http-01 validation"));
        Assert.False(Directory.Exists(Path.Combine(a.Directory, "state", "acme")));
        Assert.False(Directory.Exists(Path.Combine(b.Directory, "state", "acme")));
        Assert.DoesNotContain(new[] { a, b }.SelectMany(g => g.Logs.Entries), e => e.Message.Contains("PRIVATE KEY", StringComparison.Ordinal));

        // B is replaced by a new replica with an empty state directory: it serves the stored certificate at once.
        await b.StopAsync();
        var (ordersBefore, accountsBefore) = (Pebble.Requests("/order-plz"), Pebble.Requests("/sign-me-up"));
        await using var again = await TestGateway.StartAsync(Config(Pebble, database, ReplicaB, "http-01", "shared.gw.test"));
        var served = await TlsProbe.HandshakeAsync(new IPEndPoint(ReplicaB, Pebble.TlsPort), "shared.gw.test", Pebble.IssuingRoot);

        Assert.Equal(onA.Certificate.Thumbprint, served.Certificate.Thumbprint);
        Assert.True(served.ChainValid);
        Assert.True(again.Logs.Contains("Serving the stored ACME certificate for shared.gw.test"));
        Assert.False(again.Logs.Contains("Ordering a certificate"));
        Assert.Equal((ordersBefore, accountsBefore), (Pebble.Requests("/order-plz"), Pebble.Requests("/sign-me-up")));
    }

    [Theory]
    [InlineData("http-01")]
    [InlineData("tls-alpn-01")]
    public async Task ValidationReachesTheOtherReplica_ItAnswersTheChallengeFromTheDatabase(string challenge)
    {
        var database = await postgres.CreateDatabaseAsync();
        var name = challenge.Replace("-", string.Empty, StringComparison.Ordinal) + ".relay.gw.test";
        // A (127.0.0.1, where pebble validates) orders nothing itself: only B has the ACME route.
        await using var a = await TestGateway.StartAsync(Plain(Config(Pebble, database, IPAddress.Loopback, challenge, name)));
        await using var b = await TestGateway.StartAsync(Config(Pebble, database, ReplicaB, challenge, name));

        var issued = await IssuedAsync(Pebble, ReplicaB, name);

        Assert.True(issued.ChainValid);
        Assert.True(b.Logs.Contains($"Proving control of {name} with {challenge}"));
        Assert.True(a.Logs.Contains(challenge == "http-01" ? "Answered an http-01 validation" : $"Answered a tls-alpn-01 validation for {name}"));
        Assert.False(b.Logs.Contains("Answered a"));
    }

    [Fact]
    public async Task DatabaseDownWhenRenewalIsDue_KeepsServing_ThenRenewsWhenItIsBack()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { CertificateValiditySeconds = 12 });
        var database = await postgres.CreateDatabaseAsync();
        await using var gateway = await TestGateway.StartAsync(Config(pebble, database, IPAddress.Loopback, "http-01", "down.gw.test"));
        var first = await IssuedAsync(pebble, IPAddress.Loopback, "down.gw.test");
        await Eventually.TrueAsync(async () => await ScalarAsync(database, "SELECT count(*) FROM gateway.acme_certificates") == 1, "the certificate stored");

        var orders = pebble.Created();
        await postgres.StopAsync();
        try
        {
            await Eventually.TrueAsync(
                () => gateway.Logs.Entries.Any(e => e.Message.StartsWith("Could not obtain a certificate for down.gw.test", StringComparison.Ordinal) && e.Message.Contains("database is unreachable", StringComparison.Ordinal) &&
                    e.Message.Contains("still serving the certificate valid until", StringComparison.Ordinal)),
                "the renewal to fail on the database", TimeSpan.FromSeconds(30));
            output.WriteLine(gateway.Logs.Entries.First(e => e.Message.StartsWith("Could not obtain", StringComparison.Ordinal)).Message);
            var during = await TlsProbe.HandshakeAsync(new IPEndPoint(IPAddress.Loopback, pebble.TlsPort), "down.gw.test", pebble.IssuingRoot);
            Assert.Equal(first.Certificate.Thumbprint, during.Certificate.Thumbprint);
            Assert.Equal(orders, pebble.Created());
        }
        finally
        {
            await postgres.StartAsync();
        }

        var renewed = await IssuedAsync(pebble, IPAddress.Loopback, "down.gw.test", first.Certificate.Thumbprint);
        Assert.True(renewed.ChainValid);
        await Eventually.TrueAsync(
            async () =>
            {
                using var stored = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await TextAsync(database, "SELECT chain_pem FROM gateway.acme_certificates"));
                return stored.Thumbprint == renewed.Certificate.Thumbprint;
            },
            "the renewed certificate stored in the database");
    }

    private JsonObject Config(PebbleServer pebble, string database, IPAddress address, string challenge, string name)
    {
        var config = AcmeConfigs.Gateway(pebble, fixture.Backend.Url, Path.Combine(Path.GetTempPath(), "unused"), challenge, [name]);
        // TestGateway gives each gateway a state directory of its own inside its folder.
        config.Remove("StateDirectory");
        config["Listeners"]!["http"]!["Address"] = address.ToString();
        config["Listeners"]!["https"]!["Address"] = address.ToString();
        config["State"] = new JsonObject { ["Store"] = "postgres", ["Postgres"] = new JsonObject { ["ConnectionString"] = database } };
        return config;
    }

    /// <summary>The same gateway without ACME: it serves the route and answers validations, but orders nothing.</summary>
    private static JsonObject Plain(JsonObject config)
    {
        config["Routes"]!["site0"]!["Acme"] = false;
        config["Tls"]!.AsObject().Remove("Acme");
        return config;
    }

    private static async Task<TlsResult> IssuedAsync(PebbleServer pebble, IPAddress address, string name, string? notThumbprint = null)
    {
        TlsResult? result = null;
        await Eventually.TrueAsync(
            async () =>
            {
                result = await TlsProbe.HandshakeAsync(new IPEndPoint(address, pebble.TlsPort), name, pebble.IssuingRoot);
                return result.ChainValid && result.Certificate.Thumbprint != notThumbprint;
            },
            $"a certificate from pebble for {name} on {address}",
            TimeSpan.FromSeconds(60));
        return result!;
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> TextAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

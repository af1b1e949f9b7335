using System.Diagnostics;
using Gateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace Gateway.Tests.Tls.Acme;

/// <summary>Certificates obtained from a real ACME server (Debian's pebble) over http-01 and tls-alpn-01.</summary>
[Collection(PebbleCollection.Name)]
public sealed class AcmeIssuanceTests(PebbleFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "gateway-acme-" + Guid.NewGuid().ToString("N")[..12]);

    private PebbleServer Pebble => fixture.Pebble;

    [Fact]
    public async Task Http01_SeveralNames_IssuedAndServedWithAChainToPebblesRoot()
    {
        var started = Stopwatch.StartNew();
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(
            Pebble, fixture.Backend.Url, _state, "http-01", ["gw.test", "www.gw.test"], ["api.gw.test"]));

        var site = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "www.gw.test");
        var api = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "api.gw.test");
        output.WriteLine($"http-01: both certificates served {started.ElapsedMilliseconds} ms after start");

        Assert.Equal(["gw.test", "www.gw.test"], Gateway.Tls.ServerCertificate.NamesOf(site.Certificate).Order().ToArray());
        Assert.Equal(site.Certificate.Thumbprint, (await TlsProbe.HandshakeAsync(Pebble.TlsPort, "gw.test", Pebble.IssuingRoot)).Certificate.Thumbprint);
        Assert.NotEqual(site.Certificate.Thumbprint, api.Certificate.Thumbprint);
        using var client = TlsProbe.Client(Pebble.TlsPort, Pebble.IssuingRoot);
        Assert.Equal("app", (await EchoResponse.ReadAsync(await client.GetAsync("https://www.gw.test/"))).Backend);
        Assert.True(gateway.Logs.Contains("Proving control of www.gw.test with http-01"));
        foreach (var line in gateway.Logs.Entries.Where(e => e.Message.StartsWith("Obtained a certificate", StringComparison.Ordinal)))
        {
            output.WriteLine(line.Message);
        }

        var certificates = Path.Combine(_state, "acme", Gateway.Tls.Acme.AcmeStorage.DirectoryName(Pebble.DirectoryUrl), "certificates");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certificates, "gw.test.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certificates, "..", "account.key")));
    }

    [Fact]
    public async Task TlsAlpn01_SeveralNames_IssuedAndServedWithAChainToPebblesRoot()
    {
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(
            Pebble, fixture.Backend.Url, _state, "tls-alpn-01", ["alpn.gw.test", "www.alpn.gw.test", "api.alpn.gw.test"]));

        var result = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "api.alpn.gw.test");

        Assert.Equal(["alpn.gw.test", "api.alpn.gw.test", "www.alpn.gw.test"], Gateway.Tls.ServerCertificate.NamesOf(result.Certificate).Order().ToArray());
        Assert.True(gateway.Logs.Contains("Proving control of www.alpn.gw.test with tls-alpn-01"));
        Assert.True(gateway.Logs.Contains("Answered a tls-alpn-01 validation for www.alpn.gw.test"));
        Assert.False(gateway.Logs.Contains("Answered an http-01 validation"));
        using var client = TlsProbe.Client(Pebble.TlsPort, Pebble.IssuingRoot);
        Assert.Equal("app", (await EchoResponse.ReadAsync(await client.GetAsync("https://alpn.gw.test/"))).Backend);
    }

    [Fact]
    public async Task RsaKeyType_IssuesAnRsaCertificate()
    {
        var config = AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["rsa.gw.test"]);
        config["Tls"]!["Acme"]!["KeyType"] = "rsa-2048";
        await using var gateway = await TestGateway.StartAsync(config);

        var result = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "rsa.gw.test");

        Assert.Equal(2048, System.Security.Cryptography.X509Certificates.RSACertificateExtensions.GetRSAPublicKey(result.Certificate)?.KeySize);
    }

    [Fact]
    public async Task Restart_ReusesTheStoredAccountAndCertificate_WithoutOrdering()
    {
        var config = AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["again.gw.test"]);
        string thumbprint;
        await using (var first = await TestGateway.StartAsync(config.DeepClone().AsObject()))
        {
            thumbprint = (await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "again.gw.test")).Certificate.Thumbprint;
        }

        var accountKey = await File.ReadAllTextAsync(Path.Combine(_state, "acme", Gateway.Tls.Acme.AcmeStorage.DirectoryName(Pebble.DirectoryUrl), "account.key"));
        var (orders, accounts) = (Pebble.Requests("/order-plz"), Pebble.Requests("/sign-me-up"));

        await using var second = await TestGateway.StartAsync(config);
        var served = await TlsProbe.HandshakeAsync(Pebble.TlsPort, "again.gw.test", Pebble.IssuingRoot);

        Assert.Equal(thumbprint, served.Certificate.Thumbprint);
        Assert.True(served.ChainValid);
        Assert.True(second.Logs.Contains("Serving the stored ACME certificate for again.gw.test"));
        Assert.False(second.Logs.Contains("Ordering a certificate"));
        Assert.Equal((orders, accounts), (Pebble.Requests("/order-plz"), Pebble.Requests("/sign-me-up")));
        Assert.Equal(accountKey, await File.ReadAllTextAsync(Path.Combine(_state, "acme", Gateway.Tls.Acme.AcmeStorage.DirectoryName(Pebble.DirectoryUrl), "account.key")));
    }

    [Fact]
    public async Task Reload_RouteMarkedForAcme_GetsItsCertificateWithoutRestart()
    {
        var config = AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["first.gw.test"]);
        await using var gateway = await TestGateway.StartAsync(config.DeepClone().AsObject());
        await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "first.gw.test");

        config["Routes"]!["added"] = new System.Text.Json.Nodes.JsonObject
        {
            ["Hosts"] = new System.Text.Json.Nodes.JsonArray("added.gw.test"),
            ["Cluster"] = "app",
            ["Acme"] = true,
        };
        await gateway.RewriteConfigAsync(config);

        var added = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "added.gw.test");
        Assert.Equal(["added.gw.test"], Gateway.Tls.ServerCertificate.NamesOf(added.Certificate).ToArray());
    }

    [Fact]
    public async Task AccountKey_ReadableByOthers_RefusesToStart()
    {
        var config = AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["mode.gw.test"]);
        await using (var first = await TestGateway.StartAsync(config.DeepClone().AsObject()))
        {
            await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "mode.gw.test");
        }

        var key = Path.Combine(_state, "acme", Gateway.Tls.Acme.AcmeStorage.DirectoryName(Pebble.DirectoryUrl), "account.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => TestGateway.StartAsync(config));
        Assert.Equal($"{key} holds a private key but has mode 0640; it must be readable by its owner only: chmod 600 {key}", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}

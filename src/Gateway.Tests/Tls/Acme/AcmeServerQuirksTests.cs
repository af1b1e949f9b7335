using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace Gateway.Tests.Tls.Acme;

/// <summary>Pebble rejecting half of all good nonces with badNonce.</summary>
public sealed class NonceRejectingPebbleFixture : IAsyncLifetime
{
    public PebbleServer Pebble { get; private set; } = null!;

    public async Task InitializeAsync() => Pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 50 });

    public async Task DisposeAsync() => await Pebble.DisposeAsync();
}

public sealed class AcmeBadNonceTests(NonceRejectingPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<NonceRejectingPebbleFixture>, IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("gateway-nonce-").FullName;

    [Fact]
    public async Task Issuance_HalfOfAllNoncesRejected_StillSucceeds()
    {
        var pebble = fixture.Pebble;
        await using var backend = await TestBackend.StartAsync("app");
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(pebble, backend.Url, _state, "http-01", ["nonce.gw.test", "www.nonce.gw.test"]));

        var result = await AcmeConfigs.IssuedAsync(pebble, pebble.TlsPort, "www.nonce.gw.test");

        var retries = gateway.Logs.Entries.Count(e => e.Message.StartsWith("The ACME server rejected the nonce", StringComparison.Ordinal));
        output.WriteLine($"badNonce retries: {retries}");
        Assert.True(result.ChainValid);
        Assert.True(retries > 0, "pebble rejected no nonce at 50 %");
        var failure = gateway.Logs.Entries.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Could not obtain a certificate", StringComparison.Ordinal));
        Assert.True(failure is null, failure);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}

/// <summary>Pebble that requires external account binding, with one key.</summary>
public sealed class BindingPebbleFixture : IAsyncLifetime
{
    public const string KeyId = "kid-1";
    public const string MacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

    public PebbleServer Pebble { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Pebble = await PebbleServer.StartAsync(new PebbleOptions { ExternalAccountKeys = new Dictionary<string, string> { [KeyId] = MacKey } });

    public async Task DisposeAsync() => await Pebble.DisposeAsync();
}

public sealed class AcmeExternalAccountTests(BindingPebbleFixture fixture) : IClassFixture<BindingPebbleFixture>, IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("gateway-eab-").FullName;

    [Fact]
    public async Task ExternalAccountBinding_RequiredByTheServer_RegistersAndIssues()
    {
        var pebble = fixture.Pebble;
        await using var backend = await TestBackend.StartAsync("app");
        var config = AcmeConfigs.Gateway(pebble, backend.Url, _state, "http-01", ["eab.gw.test"]);
        config["Tls"]!["Acme"]!["ExternalAccount"] = new JsonObject { ["KeyId"] = BindingPebbleFixture.KeyId, ["HmacKey"] = BindingPebbleFixture.MacKey };
        await using var gateway = await TestGateway.StartAsync(config);

        var result = await AcmeConfigs.IssuedAsync(pebble, pebble.TlsPort, "eab.gw.test");

        Assert.True(result.ChainValid);
        Assert.True(gateway.Logs.Contains("created for the key"));
    }

    [Fact]
    public async Task ExternalAccountBinding_NotConfigured_SaysWhatToSet()
    {
        var pebble = fixture.Pebble;
        await using var backend = await TestBackend.StartAsync("app");
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(pebble, backend.Url, _state, "http-01", ["noeab.gw.test"]));

        await Eventually.TrueAsync(() => gateway.Logs.Contains("Could not obtain a certificate for noeab.gw.test"), "the refused registration");

        Assert.True(gateway.Logs.Contains("requires external account binding; set Gateway:Tls:Acme:ExternalAccount:KeyId and HmacKey"));
        Assert.True(gateway.Logs.Contains("no ACME certificate is served for these names yet"));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}

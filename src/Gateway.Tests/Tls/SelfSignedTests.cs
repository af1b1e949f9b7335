using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls;

/// <summary>The embedded default's self-signed certificate: generated once, kept in the state directory.</summary>
public sealed class SelfSignedTests(BackendsFixture backends) : IClassFixture<BackendsFixture>, IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "gateway-selfsigned-" + Guid.NewGuid().ToString("N")[..12]);

    private JsonObject Config()
    {
        var config = TlsConfigs.Gateway(backends.A.Url, new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true, ["Hosts"] = new JsonArray("dev.example.test") } });
        config["StateDirectory"] = _state;
        return config;
    }

    [Fact]
    public async Task SelfSigned_GeneratedOnFirstStart_IsReusedAfterRestart()
    {
        string thumbprint;
        await using (var first = await TestGateway.StartAsync(Config()))
        {
            var result = await TlsProbe.HandshakeAsync(first.Port("https"), "localhost");
            thumbprint = result.Certificate.Thumbprint;
            Assert.Contains("dev.example.test", Gateway.Tls.ServerCertificate.NamesOf(result.Certificate));
            Assert.True(first.Logs.Contains("Generated a self-signed certificate"));
            using var client = TlsProbe.Client(first.Port("https"), root: null, acceptAny: true);
            Assert.Equal("a", (await EchoResponse.ReadAsync(await client.GetAsync("https://localhost/"))).Backend);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_state, "tls", "self-signed.key")));

        await using var second = await TestGateway.StartAsync(Config());
        Assert.Equal(thumbprint, (await TlsProbe.HandshakeAsync(second.Port("https"), sni: null)).Certificate.Thumbprint);
        Assert.False(second.Logs.Contains("Generated a self-signed certificate"));
    }

    [Fact]
    public async Task SelfSignedKey_ReadableByOthers_RefusesToStart()
    {
        await using (await TestGateway.StartAsync(Config()))
        {
        }

        var key = Path.Combine(_state, "tls", "self-signed.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => TestGateway.StartAsync(Config()));
        Assert.Contains("has mode 0644", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600 " + key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfSignedKey_ReadableByOthers_ProcessExitsThreeSayingHowToFixIt()
    {
        await using (await TestGateway.StartAsync(Config()))
        {
        }

        var key = Path.Combine(_state, "tls", "self-signed.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var config = Path.Combine(_state, "gateway.json");
        var gateway = Config();
        gateway["Management"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 };
        await File.WriteAllTextAsync(config, TestGateway.Serialize(gateway));

        await using var process = GatewayProcess.Start(_state, null, "--config", config);

        Assert.Equal(3, await process.WaitForExitAsync());
        Assert.Contains($"Gateway could not start: {key} holds a private key but has mode 0604; it must be readable by its owner only: chmod 600 {key}", process.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}

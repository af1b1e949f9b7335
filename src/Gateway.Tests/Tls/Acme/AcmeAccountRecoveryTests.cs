using Gateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace Gateway.Tests.Tls.Acme;

/// <summary>An authority that forgot the stored account (pebble keeps accounts in memory; restarting it loses them).</summary>
public sealed class AcmeAccountRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("gateway-forgot-").FullName;

    [Fact]
    public async Task AuthorityForgotTheAccount_TheKeyIsRegisteredAgainAndTheOrderSucceeds()
    {
        await using var pebble = await PebbleServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("app");
        await using (var first = await TestGateway.StartAsync(AcmeConfigs.Gateway(pebble, backend.Url, _state, "http-01", ["one.gw.test"])))
        {
            await AcmeConfigs.IssuedAsync(pebble, pebble.TlsPort, "one.gw.test");
        }

        await pebble.RestartAsync();
        await using var second = await TestGateway.StartAsync(AcmeConfigs.Gateway(pebble, backend.Url, _state, "http-01", ["one.gw.test"], ["two.gw.test"]));

        var issued = await AcmeConfigs.IssuedAsync(pebble, pebble.TlsPort, "two.gw.test");

        var failure = second.Logs.Entries.FirstOrDefault(e => e.Message.StartsWith("Could not obtain a certificate for two.gw.test", StringComparison.Ordinal)).Message;
        output.WriteLine(failure);
        Assert.Contains("accountDoesNotExist", failure, StringComparison.Ordinal);
        Assert.True(issued.ChainValid);
        Assert.Single(second.Logs.Entries, e => e.Message.StartsWith("ACME account ", StringComparison.Ordinal) && e.Message.Contains(" created for the key ", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}

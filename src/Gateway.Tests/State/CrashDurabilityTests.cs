using System.Net.Sockets;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.State;

/// <summary>A real gateway process killed with SIGKILL right after acknowledging changes keeps them.</summary>
public sealed class CrashDurabilityTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-crash-" + Guid.NewGuid().ToString("N")[..12]);

    public CrashDurabilityTests() => Directory.CreateDirectory(Path.Combine(_directory, "config"));

    private string Socket => Path.Combine(_directory, "state", "admin.sock");

    [Theory]
    [InlineData("interval")]
    [InlineData("always")]
    public async Task KillNine_RightAfterAcknowledgedAddAcl_TheEntryIsThereAfterRestart(string fsync)
    {
        var config = WriteConfig(fsync);
        await using (var first = await StartAsync(config))
        {
            // Each reply is the acknowledgement; the process dies the moment the last one arrives.
            var replies = await CliClient.SendAsync(new UnixDomainSocketEndPoint(Socket),
                "add acl #500 203.0.113.7;add acl #500 198.51.100.0/24;del acl #500 10.9.9.9;add map #501 survivor-token alice\n");
            Assert.Equal("\n\n\n\n", replies);
            await first.KillHardAsync();
        }

        await using var second = await StartAsync(config);
        var list = await CliClient.SendAsync(new UnixDomainSocketEndPoint(Socket), "show acl #500\n");
        var map = await CliClient.SendAsync(new UnixDomainSocketEndPoint(Socket), "show map #501\n");

        Assert.Contains(" 203.0.113.7\n", list, StringComparison.Ordinal);
        Assert.Contains(" 198.51.100.0/24\n", list, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.9.9", list, StringComparison.Ordinal);
        // The token itself is never stored; after the restart it shows as its hash, and still redeems.
        Assert.Contains("sha256:", map, StringComparison.Ordinal);
        Assert.Contains(" alice\n", map, StringComparison.Ordinal);
    }

    private async Task<GatewayProcess> StartAsync(string config)
    {
        var process = GatewayProcess.Start(_directory, null, "--config", config);
        await process.WaitForOutputAsync("Gateway started");
        Assert.False(process.HasExited, process.Errors);
        return process;
    }

    private string WriteConfig(string fsync)
    {
        var path = Path.Combine(_directory, "config", "appsettings.json");
        File.WriteAllText(path, $$"""
            {"Gateway": {
              "StateDirectory": "{{Path.Combine(_directory, "state")}}",
              "State": { "Fsync": "{{fsync}}" },
              "Management": { "Port": {{FreePort.Get()}} },
              "Listeners": { "http": { "Address": "127.0.0.1", "Port": {{FreePort.Get()}} } },
              "Access": { "Lists": { "app": { "Id": 500, "TokenMapId": 501, "Entries": [ "10.9.9.9" ] } } },
              "Routes": { "app": { "Cluster": "app", "Access": { "List": "app" } } },
              "Clusters": { "app": { "Destinations": { "s1": { "Address": "http://127.0.0.1:9" } } } }
            } }
            """);
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

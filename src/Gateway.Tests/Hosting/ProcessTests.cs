using System.Net;
using System.Net.Sockets;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Hosting;

/// <summary>The gateway as an operator runs it: a process with a config file, the environment and signals.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-process-" + Guid.NewGuid().ToString("N")[..12]);

    public ProcessTests() => Directory.CreateDirectory(Path.Combine(_directory, "config"));

    [Fact]
    public async Task InvalidConfig_ExitsOneAndPrintsEveryError()
    {
        var config = WriteConfig("""{"Gateway":{"Listeners":{"http":{"Port":"eighty"}},"Routes":{"app":{"Cluster":"nope"}}}}""");
        await using var process = GatewayProcess.Start(_directory, null, "--config", config);

        var exit = await process.WaitForExitAsync();

        Assert.Equal(1, exit);
        Assert.Contains("Gateway:Listeners:http:Port: 'eighty' is not a whole number.", process.Errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Routes:app:Cluster: 'nope' is not a cluster", process.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentVariables_OverrideTheFile_AndSigtermExitsZero()
    {
        await using var backend = await TestBackend.StartAsync("app");
        var filePort = FreePort.Get();
        var envPort = FreePort.Get();
        var config = WriteConfig($$"""
            {"Gateway":{
              "Management":{"Port":{{FreePort.Get()}} },
              "Listeners":{"http":{"Address":"127.0.0.1","Port":{{filePort}} } },
              "Routes":{"app":{"Cluster":"app"} },
              "Clusters":{"app":{"Destinations":{"s1":{"Address":"http://127.0.0.1:9"} } } } } }
            """);
        await using var process = GatewayProcess.Start(_directory, new Dictionary<string, string>
        {
            ["Gateway__Listeners__http__Port"] = envPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__Clusters__app__Destinations__s1__Address"] = backend.Url.ToString(),
        }, "--config", config);
        await process.WaitForOutputAsync("Gateway started");

        using var client = new HttpClient();
        var echo = await EchoResponse.ReadAsync(await client.GetAsync($"http://127.0.0.1:{envPort}/from-env"));
        Assert.Equal("app", echo.Backend);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{filePort}/"));

        process.Terminate();
        Assert.Equal(0, await process.WaitForExitAsync());
    }

    [Fact]
    public async Task PortInUse_ExitsThreeNamingTheAddress()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        var port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        var config = WriteConfig($$"""
            {"Gateway":{
              "Management":{"Port":{{FreePort.Get()}} },
              "Listeners":{"http":{"Address":"127.0.0.1","Port":{{port}} } },
              "Routes":{"app":{"Cluster":"app"} },
              "Clusters":{"app":{"Destinations":{"s1":{"Address":"http://127.0.0.1:9"} } } } } }
            """);
        await using var process = GatewayProcess.Start(_directory, null, "--config", config);

        Assert.Equal(3, await process.WaitForExitAsync());
        Assert.Contains($"127.0.0.1:{port}", process.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwoWithUsage()
    {
        await using var process = GatewayProcess.Start(_directory, null, "serve-please");

        Assert.Equal(2, await process.WaitForExitAsync());
        Assert.Contains("Unknown command 'serve-please'", process.Errors, StringComparison.Ordinal);
        Assert.Contains("Usage: gateway", process.Errors, StringComparison.Ordinal);
    }

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_directory, "config", "appsettings.json");
        File.WriteAllText(path, json.Replace("\"Gateway\":{", $"\"Gateway\":{{\"StateDirectory\":\"{Path.Combine(_directory, "state")}\",", StringComparison.Ordinal));
        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

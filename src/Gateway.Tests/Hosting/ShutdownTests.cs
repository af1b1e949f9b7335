using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Hosting;

/// <summary>Stopping as Docker, Kubernetes and systemd stop it: SIGTERM, readiness first, then the drain.</summary>
public sealed class ShutdownTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-shutdown-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly int _httpPort = FreePort.Get();
    private readonly int _managementPort = FreePort.Get();

    public ShutdownTests() => Directory.CreateDirectory(Path.Combine(_directory, "config"));

    private string AccessLog => Path.Combine(_directory, "access.log");

    [Fact]
    public async Task Sigterm_DuringASlowRequest_LetsItFinish_RefusesNewConnections_AndExitsZero()
    {
        await using var backend = await HeldBackend.StartAsync();
        await using var process = StartGateway(backend.Url, drainTimeout: "30s");
        using var client = new HttpClient();
        var slow = client.GetAsync($"http://127.0.0.1:{_httpPort}/hold");
        await backend.Arrived;

        process.Terminate();
        await Eventually.TrueAsync(async () => !await AcceptsAsync(_httpPort), "the listener to refuse new connections");
        Assert.False(process.HasExited);
        backend.Release();
        var response = await slow;

        Assert.Equal((HttpStatusCode.OK, "released\n"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal(0, await process.WaitForExitAsync());
        Assert.Contains("Shutting down: /readyz answers not-ready", process.Output, StringComparison.Ordinal);
        Assert.Contains(File.ReadAllLines(AccessLog), line => line.Contains("\"GET /hold HTTP/1.1\"", StringComparison.Ordinal) && line.Contains(" 200 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_RequestOutlastsTheDrainTimeout_IsCut_AndTheProcessExitsZero()
    {
        await using var backend = await HeldBackend.StartAsync();
        await using var process = StartGateway(backend.Url, drainTimeout: "1s");
        using var client = new HttpClient();
        var slow = client.GetAsync($"http://127.0.0.1:{_httpPort}/hold");
        await backend.Arrived;

        process.Terminate();

        Assert.Equal(0, await process.WaitForExitAsync());
        await Assert.ThrowsAsync<HttpRequestException>(() => slow);
    }

    [Fact]
    public async Task Stopping_DuringTheReadinessDelay_ReadyzIsNotReadyWhileTrafficIsStillServed()
    {
        await using var backend = await TestBackend.StartAsync("app");
        var gateway = await TestGateway.StartAsync(new JsonObject
        {
            ["Routes"] = new JsonObject { ["app"] = new JsonObject { ["Cluster"] = "app" } },
            ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend.Url) },
            ["Shutdown"] = new JsonObject { ["ReadinessDelay"] = "5m" },
        });
        using var management = gateway.CreateClient("management");
        using var stop = new CancellationTokenSource();
        var stopping = gateway.Services.GetRequiredService<IHost>().StopAsync(stop.Token);

        await Eventually.TrueAsync(async () => (await management.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz to turn not-ready");
        using var fresh = gateway.CreateClient();
        var echo = await EchoResponse.ReadAsync(await fresh.GetAsync("/still-served"));

        Assert.Equal("app", echo.Backend);
        Assert.Equal("not ready: shutting down\n", await (await management.GetAsync("/readyz")).Content.ReadAsStringAsync());
        Assert.False(stopping.IsCompleted);
        await stop.CancelAsync();
        await stopping;
        await gateway.DisposeAsync();
    }

    [Fact]
    public void Compile_BadShutdownSettings_NameTheKey()
    {
        var errors = ConfigCompile.Errors("""{"Shutdown":{"DrainTimeout":"forever","ReadinessDelay":"-5s"}}""");

        Assert.Contains("Gateway:Shutdown:DrainTimeout: 'forever' is not a duration", errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Shutdown:ReadinessDelay: '-5s' is not a duration", errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Shutdown: DrainTimeout plus ReadinessDelay is 2h; keep the whole shutdown under 1h.",
            ConfigCompile.Errors("""{"Shutdown":{"DrainTimeout":"1h","ReadinessDelay":"1h"}}"""), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private GatewayProcess StartGateway(Uri backend, string drainTimeout)
    {
        var config = Path.Combine(_directory, "config", "appsettings.json");
        File.WriteAllText(config, TestGateway.Serialize(new JsonObject
        {
            ["StateDirectory"] = Path.Combine(_directory, "state"),
            ["Management"] = new JsonObject { ["Port"] = _managementPort },
            ["Listeners"] = new JsonObject { ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = _httpPort } },
            ["Routes"] = new JsonObject { ["app"] = new JsonObject { ["Cluster"] = "app" } },
            ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend) },
            ["AccessLog"] = new JsonObject { ["Path"] = AccessLog },
            ["Shutdown"] = new JsonObject { ["DrainTimeout"] = drainTimeout },
        }));
        var process = GatewayProcess.Start(_directory, null, "--config", config);
        process.WaitForOutputAsync("Gateway started").GetAwaiter().GetResult();
        Assert.False(process.HasExited, process.Errors);
        return process;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
        {
            // A connect that lands in the backlog just as the listener closes is reset rather than refused: not served either way.
            return false;
        }
    }
}

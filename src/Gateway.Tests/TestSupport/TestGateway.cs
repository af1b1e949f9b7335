using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real gateway in the test process: its config written to a temporary folder (main file and conf.d), composed by
/// <see cref="GatewayApplication"/> exactly as Program does, listening on free loopback ports.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Action<WebApplicationBuilder>? _configure;
    private bool _ownsDirectory = true;
    private bool _stopped;

    private TestGateway(WebApplication app, string directory, LogCapture logs, Action<WebApplicationBuilder>? configure)
    {
        _app = app;
        Directory = directory;
        Logs = logs;
        _configure = configure;
        Client = CreateClient();
    }

    /// <summary>The temporary folder: config/appsettings.json, config/conf.d/, state/.</summary>
    public string Directory { get; }

    public string ConfigFile => Path.Combine(Directory, "config", "appsettings.json");

    /// <summary>Where the access log goes unless a test sets <c>AccessLog:Path</c> itself.</summary>
    public string AccessLogFile => Path.Combine(Directory, "access.log");

    public LogCapture Logs { get; }

    /// <summary>A client for the "http" listener.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    internal GatewayConfig CurrentConfig => Services.GetRequiredService<GatewayConfigManager>().Current;

    public static Task<TestGateway> StartAsync(object gateway, IDictionary<string, object>? confd = null) =>
        StartAsync(JsonSerializer.SerializeToNode(gateway)!.AsObject(), confd);

    public static Task<TestGateway> StartAsync(JsonObject gateway, Action<WebApplicationBuilder> configure) =>
        StartAsync(gateway, null, configure);

    /// <summary>
    /// Starts a gateway with <paramref name="gateway"/> as its <c>Gateway</c> section. An "http" listener, the
    /// management listener and the state directory are filled in with free ports and a temporary folder unless given.
    /// </summary>
    public static async Task<TestGateway> StartAsync(JsonObject gateway, IDictionary<string, object>? confd = null, Action<WebApplicationBuilder>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gateway-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "config"));
        WithDefaults(gateway, directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "config", "appsettings.json"), Serialize(gateway));
        if (confd is not null)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "config", "conf.d"));
            foreach (var (name, content) in confd)
            {
                await File.WriteAllTextAsync(Path.Combine(directory, "config", "conf.d", name), Serialize(JsonSerializer.SerializeToNode(content)!.AsObject()));
            }
        }

        try
        {
            return await BuildAndStartAsync(directory, configure);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Stops this gateway and starts a new one on the same folder (config and state), as a restart does.</summary>
    public async Task<TestGateway> RestartAsync()
    {
        await StopAsync();
        _ownsDirectory = false;
        return await BuildAndStartAsync(Directory, _configure);
    }

    /// <summary>Stops the gateway (listeners closed, state flushed) without deleting its folder.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<TestGateway> BuildAndStartAsync(string directory, Action<WebApplicationBuilder>? configure)
    {
        var logs = new LogCapture();
        WebApplication? app = null;
        try
        {
            app = GatewayApplication.Build(
                new GatewayCommandLine(null, Path.Combine(directory, "config", "appsettings.json"), [], null),
                builder =>
                {
                    builder.Logging.ClearProviders();
                    builder.Logging.AddProvider(logs);
                    builder.Logging.SetMinimumLevel(LogLevel.Debug);
                    configure?.Invoke(builder);
                });
            await app.StartAsync();
        }
        catch
        {
            // A start that fails (as some tests intend) must not leave listeners, watchers or files behind.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            throw;
        }

        return new TestGateway(app, directory, logs, configure);
    }

    /// <summary>Writes a new main config file (the Gateway section), as an operator editing it would.</summary>
    public async Task RewriteConfigAsync(JsonObject gateway)
    {
        WithDefaults(gateway, Directory, CurrentConfig);
        await File.WriteAllTextAsync(ConfigFile, Serialize(gateway));
    }

    public Uri Url(string listener = "http") => new($"http://127.0.0.1:{Port(listener)}");

    public int Port(string listener = "http") => Services.GetRequiredService<ListenerRegistry>().EndPointOf(listener).Port;

    /// <summary>A client for a listener; <paramref name="from"/> picks the loopback source address (127.0.0.2...).</summary>
    public HttpClient CreateClient(string listener = "http", IPAddress? from = null, CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = cookies is not null, CookieContainer = cookies ?? new CookieContainer() };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, cancellation) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            };
        }

        return new HttpClient(handler) { BaseAddress = Url(listener), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>GET through the gateway with the given Host header.</summary>
    public Task<HttpResponseMessage> GetAsync(string host, string path = "/", HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        request.Headers.Host = host;
        return Client.SendAsync(request);
    }

    /// <summary>The access-log lines written so far.</summary>
    public string[] AccessLogLines() =>
        File.Exists(AccessLogFile) ? File.ReadAllLines(AccessLogFile) : [];

    /// <summary>Waits until the access log holds <paramref name="count"/> lines (it is written off the request path).</summary>
    public async Task<string[]> WaitForAccessLogAsync(int count)
    {
        await Eventually.TrueAsync(() => AccessLogLines().Length >= count, $"{count} access-log line(s)");
        return AccessLogLines();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static string Serialize(JsonObject gateway) =>
        new JsonObject { ["Gateway"] = gateway.DeepClone() }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static void WithDefaults(JsonObject gateway, string directory, GatewayConfig? running = null)
    {
        gateway["StateDirectory"] ??= Path.Combine(directory, "state");
        // The access log goes to a file of the test's own, not to the test runner's standard output.
        var accessLog = gateway["AccessLog"] as JsonObject ?? new JsonObject();
        gateway["AccessLog"] = accessLog;
        accessLog["Path"] ??= Path.Combine(directory, "access.log");
        var managementPort = running?.Management.Port ?? FreePort.Get();
        gateway["Management"] ??= new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = managementPort };
        if (gateway["Listeners"] is null)
        {
            var httpPort = running?.Listeners.FirstOrDefault(l => l.Name == "http")?.Port ?? FreePort.Get();
            gateway["Listeners"] = new JsonObject { ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = httpPort } };
        }
    }

    /// <summary>A cluster section with the given destinations, named d0, d1...</summary>
    public static JsonObject Cluster(params Uri[] destinations)
    {
        var list = new JsonObject();
        for (var i = 0; i < destinations.Length; i++)
        {
            list["d" + i] = new JsonObject { ["Address"] = destinations[i].ToString() };
        }

        return new JsonObject { ["Destinations"] = list };
    }

    public static async Task<string> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync();

    public static HttpStatusCode Status(HttpResponseMessage response) => response.StatusCode;
}

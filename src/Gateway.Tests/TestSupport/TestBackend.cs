using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real HTTP server on a loopback port playing an application behind the gateway. Every answer says which backend
/// it is and what it received, so tests can see where a request went and what the proxy sent.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _inFlight;
    private int _maxInFlight;
    private int _requests;

    private TestBackend(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>What /health answers; tests flip it to take the backend out of rotation.</summary>
    public HttpStatusCode HealthStatus { get; set; } = HttpStatusCode.OK;

    public int Requests => Volatile.Read(ref _requests);

    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>The SNI the last TLS client sent (TLS backends only).</summary>
    public string? LastSni { get; private set; }

    public static async Task<TestBackend> StartAsync(string name, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var self = new TestBackend(name);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, sni) =>
                    {
                        self.LastSni = sni;
                        return certificate;
                    },
                });
            }
        }));
        self._app = builder.Build();
        self._app.UseWebSockets();
        self.MapEndpoints();
        await self._app.StartAsync();
        var port = new Uri(self._app.Urls.First()).Port;
        self.Url = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{port}");
        return self;
    }

    private void MapEndpoints()
    {
        _app.MapGet("/health", () => Results.StatusCode((int)HealthStatus));
        _app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        });
        _app.Map("/{**path}", async context =>
        {
            Interlocked.Increment(ref _requests);
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            try
            {
                if (int.TryParse(context.Request.Query["delay"], out var delay))
                {
                    await Task.Delay(delay, context.RequestAborted);
                }

                await context.Response.WriteAsJsonAsync(new EchoResponse(
                    Name,
                    context.Request.Method,
                    context.Request.Path + context.Request.QueryString,
                    context.Request.Protocol,
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What a <see cref="TestBackend"/> answers.</summary>
public sealed record EchoResponse(string Backend, string Method, string Path, string Protocol, Dictionary<string, string> Headers)
{
    public static async Task<EchoResponse> ReadAsync(HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        var echo = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<EchoResponse>(response.Content))!;
        // Header names are case-insensitive (HAProxy lowercases them); the JSON round trip loses the comparer.
        return echo with { Headers = new Dictionary<string, string>(echo.Headers, StringComparer.OrdinalIgnoreCase) };
    }
}

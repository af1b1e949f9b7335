using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A backend whose <c>/hold</c> answers only when the test releases it, so a request stays in flight for exactly as
/// long as a test needs (through a shutdown, say) without guessing durations.
/// </summary>
public sealed class HeldBackend : IAsyncDisposable
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _app = null!;

    public Uri Url { get; private set; } = null!;

    /// <summary>Completes when a request to /hold has reached the backend.</summary>
    public Task Arrived => _arrived.Task;

    public static async Task<HeldBackend> StartAsync()
    {
        var backend = new HeldBackend();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        backend._app = builder.Build();
        backend._app.MapGet("/hold", async (HttpContext context) =>
        {
            backend._arrived.TrySetResult();
            await backend._release.Task.WaitAsync(context.RequestAborted);
            return Results.Text("released\n");
        });
        await backend._app.StartAsync();
        backend.Url = new Uri(backend._app.Urls.First());
        return backend;
    }

    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using Gateway.Configuration;
using Gateway.Observability;

namespace Gateway.Hosting;

/// <summary>
/// The first step of stopping, before any listener closes: <c>/readyz</c> answers not-ready from here on, and the
/// gateway keeps serving for <c>Gateway:Shutdown:ReadinessDelay</c> so load
/// balancers stop sending first. Then the server closes its listeners (new connections are refused) and waits for
/// in-flight requests and connections up to <c>DrainTimeout</c> (the host's shutdown timeout, set at start), after
/// which it cuts what is left and the process exits 0.
/// </summary>
internal sealed partial class GracefulShutdown(GatewayConfigManager config, Readiness readiness, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    private readonly ShutdownSettings _settings = config.Current.Shutdown;
    private int _stopping;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            return;
        }

        // SIGTERM signals ApplicationStopping before this runs; a host stopped from code signals it after.
        readiness.BeginShutdown();
        Log.Stopping(logger, Duration.Format(_settings.ReadinessDelay), Duration.Format(_settings.DrainTimeout));
        if (_settings.ReadinessDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_settings.ReadinessDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping was cut short (a second signal, or the host's timeout): go straight to closing.
            }
        }

        Log.Draining(logger, Duration.Format(_settings.DrainTimeout));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventIds.ShutdownStarted, LogLevel.Information, "Shutting down: /readyz answers not-ready; serving for {ReadinessDelay} more, then draining for up to {DrainTimeout}.")]
        public static partial void Stopping(ILogger logger, string readinessDelay, string drainTimeout);

        [LoggerMessage(EventIds.ShutdownDraining, LogLevel.Information, "Listeners closed to new connections; waiting up to {DrainTimeout} for requests in flight.")]
        public static partial void Draining(ILogger logger, string drainTimeout);
    }
}

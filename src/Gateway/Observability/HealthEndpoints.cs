using System.Net;
using Gateway.Hosting;

namespace Gateway.Observability;

/// <summary>
/// <c>/healthz</c> (the process answers), <c>/readyz</c> (ready for traffic) and <c>POST /drain</c> (turn not-ready,
/// from this host only), on the management listener only.
/// </summary>
internal static partial class HealthEndpoints
{
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        var scope = new ListenerScopeMetadata(ListenerKind.Management);
        app.MapGet("/healthz", () => Results.Text("ok\n")).WithMetadata(scope);
        app.MapGet("/readyz", (Readiness readiness) =>
        {
            var problems = readiness.Problems();
            return problems.Count == 0
                ? Results.Text("ready\n")
                : Results.Text("not ready: " + string.Join("; ", problems) + "\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithMetadata(scope);
        app.MapPost("/drain", (HttpContext context, Readiness readiness, ILoggerFactory logs) =>
        {
            // The management listener may be bound beyond loopback for probes; only this host may take it out.
            if (context.Connection.RemoteIpAddress is not { } peer || !IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
            {
                return Results.Text("drain is accepted from this host only\n", statusCode: StatusCodes.Status403Forbidden);
            }

            readiness.BeginDrain();
            Log.DrainRequested(logs.CreateLogger(typeof(HealthEndpoints)));
            return Results.Text("draining\n", statusCode: StatusCodes.Status202Accepted);
        }).WithMetadata(scope);
        return app;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.ShutdownDrainRequested, LogLevel.Information, "Drain requested: /readyz answers not-ready while traffic is still served, until the process is stopped.")]
        public static partial void DrainRequested(ILogger logger);
    }
}

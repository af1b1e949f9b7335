using Gateway.Hosting;

namespace Gateway.Observability;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (ready for traffic), on the management listener only.</summary>
internal static class HealthEndpoints
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
        return app;
    }
}

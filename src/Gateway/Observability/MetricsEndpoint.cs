using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.Observability;

/// <summary><c>/metrics</c> in the Prometheus text format, on the management listener only.</summary>
internal static class MetricsEndpoint
{
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        // Created now, before the server starts, so the counters start at the first request.
        app.Services.GetRequiredService<MetricsCollector>();
        app.MapGet("/metrics", (MetricsCollector metrics, GatewayConfigManager config) =>
                config.Current.Metrics.Enabled
                    ? Results.Text(metrics.Scrape(), PrometheusText.ContentType)
                    : Results.NotFound())
            .WithMetadata(new ListenerScopeMetadata(ListenerKind.Management));
        return app;
    }
}

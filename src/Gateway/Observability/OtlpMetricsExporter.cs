using Gateway.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Gateway.Observability;

/// <summary>
/// Optional push of the same meters to an OpenTelemetry collector over OTLP (grpc or http/protobuf), when
/// <c>Gateway:Metrics:Otlp:Endpoint</c> is set at start. A last export is flushed once the server has drained.
/// </summary>
internal sealed partial class OtlpMetricsExporter(
    GatewayConfigManager config, IEnumerable<ICapabilityMetrics> capabilities, ILogger<OtlpMetricsExporter> logger) : IHostedLifecycleService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (config.Current.Metrics.Otlp is not { } otlp)
        {
            return Task.CompletedTask;
        }

        _ = capabilities.ToList(); // their instruments exist before the first export
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("gateway", serviceVersion: typeof(OtlpMetricsExporter).Assembly.GetName().Version?.ToString()))
            .AddMeter([.. MetricsCollector.Meters(config.Current.Metrics)])
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = otlp.Protocol == OtlpProtocol.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                exporter.Endpoint = otlp.Protocol == OtlpProtocol.Http ? new Uri(otlp.Endpoint, "v1/metrics") : otlp.Endpoint;
                exporter.Headers = string.Join(',', otlp.Headers.Select(h => $"{h.Key}={Uri.EscapeDataString(h.Value)}"));
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)otlp.Interval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        Log.Started(logger, otlp.Endpoint.ToString(), otlp.Protocol.ToString(), Duration.Format(otlp.Interval));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(timeoutMilliseconds: 5000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventIds.OtlpExportStarted, LogLevel.Information, "Exporting metrics over OTLP to {Endpoint} ({Protocol}) every {Interval}.")]
        public static partial void Started(ILogger logger, string endpoint, string protocol, string interval);
    }
}

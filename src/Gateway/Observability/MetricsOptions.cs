namespace Gateway.Observability;

/// <summary><c>Gateway:Metrics</c>: Prometheus text at <c>/metrics</c> on the management listener, and optional OTLP export.</summary>
internal sealed class MetricsOptions
{
    /// <summary>Serve <c>/metrics</c> (default true).</summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Also take ASP.NET Core's and HttpClient's per-request instruments (<c>http_server_*</c>,
    /// <c>aspnetcore_routing_*</c>, <c>http_client_*</c>). Default false: recording them costs every request more CPU
    /// than the proxying decision itself, and <c>gateway_request_duration_seconds</c> and
    /// <c>gateway_destination_duration_seconds</c> already give the latencies per route and destination.
    /// </summary>
    public bool? FrameworkRequestMetrics { get; set; }

    public OtlpOptions Otlp { get; set; } = new();
}

/// <summary>Push the same metrics to an OpenTelemetry collector. Off unless <see cref="Endpoint"/> is set.</summary>
internal sealed class OtlpOptions
{
    /// <summary>The collector: <c>http://collector:4317</c> (grpc) or <c>http://collector:4318</c> (http).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http</c> (OTLP/HTTP with protobuf; <c>/v1/metrics</c> is appended).</summary>
    public string? Protocol { get; set; }

    /// <summary>How often to export (default 15s).</summary>
    public string? Interval { get; set; }

    /// <summary>Headers sent with every export, such as an API key (keep those in environment variables).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal enum OtlpProtocol
{
    Grpc,
    Http,
}

internal sealed record OtlpSettings(Uri Endpoint, OtlpProtocol Protocol, TimeSpan Interval, IReadOnlyDictionary<string, string> Headers);

/// <summary>The validated metrics settings; <see cref="Otlp"/> is null when export is off.</summary>
internal sealed record MetricsSettings(bool Enabled, OtlpSettings? Otlp, bool FrameworkRequestMetrics = false)
{
    public static MetricsSettings Default { get; } = new(true, null);
}

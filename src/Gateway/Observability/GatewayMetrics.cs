using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gateway.Observability;

/// <summary>
/// The gateway's own meter, <c>Gateway</c>, shown at <c>/metrics</c> and exported over OTLP with Kestrel's and YARP's
/// (and, with <c>Metrics.FrameworkRequestMetrics</c>, the hosting layer's and HttpClient's). A capability adds its instruments by taking this
/// class from DI and creating them on <see cref="Meter"/> once, at construction:
/// <code>
/// metrics.Meter.CreateObservableGauge("gateway.access_list.entries", () => ..., "{entry}", "Entries per access list.");
/// metrics.Meter.CreateCounter&lt;long&gt;("gateway.kat.redemptions", "{redemption}", "KAT redemptions by result.");
/// </code>
/// Names are dotted and lower case (OpenTelemetry style); <c>/metrics</c> turns them into Prometheus names
/// (<c>gateway_kat_redemptions_total</c>). Keep tag values bounded: route and list names, never IPs or tokens.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Gateway";

    private static readonly object[] StatusCodes = Enumerable.Range(0, 600).Select(code => (object)code).ToArray();
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _tcpConnections;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _destinationDuration;
    private readonly Counter<long> _accessLogDropped;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _requests = Meter.CreateCounter<long>(
            "gateway.requests", "{request}", "Requests answered on the public listeners, by route, cluster, status code and access decision.");
        _tcpConnections = Meter.CreateCounter<long>(
            "gateway.tcp.connections", "{connection}", "TCP connections handled at layer 4 (forwarded, passed through or closed), by listener, route, cluster and access decision.");
        _requestDuration = Meter.CreateHistogram(
            "gateway.request.duration", "s", "Time from a request's arrival to the end of its response (HAProxy's Tt), by route and cluster.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _destinationDuration = Meter.CreateHistogram(
            "gateway.destination.duration", "s", "Time a destination took to answer: opening the connection (if new) to response headers, HAProxy's Tc + Tr.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _accessLogDropped = Meter.CreateCounter<long>(
            "gateway.access_log.dropped", "{line}", "Access-log lines dropped because the queue was full or the output failed.");
    }

    public Meter Meter { get; }

    public void RequestCompleted(AccessLogEntry entry)
    {
        var tags = new TagList
        {
            { "route", entry.Route ?? "-" },
            { "cluster", entry.Cluster ?? "-" },
            { "decision", entry.Decision ?? "-" },
        };
        if (entry.Kind == AccessLogKind.Tcp)
        {
            tags.Add("listener", entry.Listener ?? "-");
            _tcpConnections.Add(1, tags);
            return;
        }

        tags.Add("status", (uint)entry.Status < StatusCodes.Length ? StatusCodes[entry.Status] : entry.Status);
        _requests.Add(1, tags);
        if (_requestDuration.Enabled)
        {
            var routeTags = new TagList { { "route", entry.Route ?? "-" }, { "cluster", entry.Cluster ?? "-" } };
            _requestDuration.Record(AccessLogTimings.Seconds(entry.EndTimestamp - entry.StartTimestamp), routeTags);
        }

        if (entry.HeadersTimestamp != 0 && entry.Cluster is not null)
        {
            var timings = entry.Timings();
            var destination = new TagList { { "cluster", entry.Cluster }, { "destination", entry.Destination ?? "-" } };
            _destinationDuration.Record(AccessLogTimings.Seconds(timings.Connect + timings.Response), destination);
        }
    }

    public void AccessLogDropped(int lines) => _accessLogDropped.Add(lines);
}

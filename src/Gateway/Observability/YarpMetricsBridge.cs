using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;

namespace Gateway.Observability;

/// <summary>
/// YARP 2.1 reports its own counters (requests started, failed, in flight) only as EventCounters of its
/// <c>Yarp.ReverseProxy</c> event source. This listener takes them, counters only (no per-request events are
/// enabled), once a second, and republishes them as instruments of a <c>Yarp.ReverseProxy</c> meter. The event source
/// is process-wide, so the numbers are the process's.
/// </summary>
internal sealed class YarpMetricsBridge : EventListener
{
    public const string MeterName = "Yarp.ReverseProxy";
    private const string EventSourceName = "Yarp.ReverseProxy";

    private readonly Lock _sync = new();
    private readonly bool _ready;
    private EventSource? _source;
    private long _started;
    private long _failed;
    private long _current;

    public YarpMetricsBridge(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("yarp.proxy.requests.started", () => Volatile.Read(ref _started), "{request}", "Requests the YARP forwarder started (process-wide, sampled each second).");
        meter.CreateObservableCounter("yarp.proxy.requests.failed", () => Volatile.Read(ref _failed), "{request}", "Requests the YARP forwarder failed (process-wide, sampled each second).");
        meter.CreateObservableUpDownCounter("yarp.proxy.requests.current", () => Volatile.Read(ref _current), "{request}", "Requests in the YARP forwarder now (process-wide, sampled each second).");
        lock (_sync)
        {
            _ready = true;
            if (_source is not null)
            {
                Enable(_source);
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor for sources that already exist: field initializers have run, the constructor body not yet.
        if (eventSource.Name != EventSourceName)
        {
            return;
        }

        lock (_sync)
        {
            _source = eventSource;
            if (_ready)
            {
                Enable(eventSource);
            }
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "EventCounters" || !ReferenceEquals(eventData.EventSource, _source) ||
            eventData.Payload is not [IDictionary<string, object> counter] ||
            !counter.TryGetValue("Name", out var name) || !counter.TryGetValue("Mean", out var mean) || mean is not double value)
        {
            return;
        }

        switch (name as string)
        {
            case "requests-started":
                Volatile.Write(ref _started, (long)value);
                break;
            case "requests-failed":
                Volatile.Write(ref _failed, (long)value);
                break;
            case "current-requests":
                Volatile.Write(ref _current, (long)value);
                break;
        }
    }

    // Critical: the counters without the per-request events, whose cost the forwarder only pays at Informational.
    private void Enable(EventSource source) =>
        EnableEvents(source, EventLevel.Critical, EventKeywords.None, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "1" });
}

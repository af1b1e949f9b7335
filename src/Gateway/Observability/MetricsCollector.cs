using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using System.Text;
using Gateway.Configuration;

namespace Gateway.Observability;

/// <summary>
/// Listens to the meters shown at <c>/metrics</c> and keeps their aggregates: sums, last values, explicit-bucket
/// histograms, a series per tag set. Only this host's instances of the per-host meters are taken (meters created
/// through this host's <see cref="IMeterFactory"/>), so several gateways in one process never mix their numbers;
/// the runtime's process-wide meter is shown as is.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    /// <summary>Per-host meters: ours, Kestrel's, the hosting layer's, HttpClient's (destinations) and YARP's.</summary>
    public static readonly FrozenSet<string> HostMeters = FrozenSet.Create(StringComparer.Ordinal,
        GatewayMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Routing",
        "System.Net.Http", YarpMetricsBridge.MeterName);

    /// <summary>
    /// Per-host meters whose instruments record on every request (ASP.NET Core's request duration and routing,
    /// HttpClient's request duration and connection state): taken only with <c>Metrics.FrameworkRequestMetrics</c>.
    /// With no listener the framework skips the work: bench/run measured them at about a fifth of the CPU per request.
    /// </summary>
    public static readonly FrozenSet<string> FrameworkRequestMeters = FrozenSet.Create(StringComparer.Ordinal,
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Routing", "System.Net.Http");

    /// <summary>The meters to take, for OTLP export (which reads its settings at start).</summary>
    public static IEnumerable<string> Meters(MetricsSettings settings) =>
        HostMeters.Where(m => settings.FrameworkRequestMetrics || !FrameworkRequestMeters.Contains(m)).Concat(ProcessMeters);

    /// <summary>Process-wide meters: the runtime (GC, thread pool, CPU, memory) and DNS.</summary>
    public static readonly FrozenSet<string> ProcessMeters = FrozenSet.Create(StringComparer.Ordinal, "System.Runtime", "System.Net.NameResolution");

    private readonly IMeterFactory _meterFactory;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly HashSet<Instrument> _frameworkRequest = []; // under _toggle
    private readonly Lock _scrape = new();
    private readonly Lock _toggle = new();
    private readonly GatewayConfigManager _config;
    private bool _frameworkRequestMetrics;

    public MetricsCollector(IMeterFactory meterFactory, YarpMetricsBridge yarp, IEnumerable<ICapabilityMetrics> capabilities, GatewayConfigManager config)
    {
        // Constructed first, so their instruments are there to be published: YARP's bridge, and each capability's.
        _ = yarp;
        _ = capabilities.ToList();
        _meterFactory = meterFactory;
        _listener = new MeterListener
        {
            InstrumentPublished = OnPublished,
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _),
        };
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).Record((double)value, tags));
        _config = config;
        _frameworkRequestMetrics = config.Current.Metrics.FrameworkRequestMetrics;
        config.Changed += OnConfigChanged;
        _listener.Start();
    }

    /// <summary>Observes the observable instruments, then writes every metric in the Prometheus text format.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            foreach (var state in _instruments.Values)
            {
                state.ClearIfObserved();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder(16 * 1024);
            foreach (var family in _instruments.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Write(text, family.Key, family.ToList());
            }

            return text.ToString();
        }
    }

    public void Dispose()
    {
        _config.Changed -= OnConfigChanged;
        _listener.Dispose();
    }

    private void OnPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var wanted = HostMeters.Contains(meter.Name) ? ReferenceEquals(meter.Scope, _meterFactory) : ProcessMeters.Contains(meter.Name);
        if (!wanted)
        {
            return;
        }

        if (FrameworkRequestMeters.Contains(meter.Name))
        {
            lock (_toggle)
            {
                _frameworkRequest.Add(instrument);
                if (_frameworkRequestMetrics)
                {
                    Enable(instrument);
                }
            }

            return;
        }

        Enable(instrument);
    }

    private void Enable(Instrument instrument)
    {
        if (InstrumentState.Create(instrument) is { } state && _instruments.TryAdd(instrument, state))
        {
            _listener.EnableMeasurementEvents(instrument, state);
        }
    }

    /// <summary>A reload turns the framework's per-request instruments on or off; turned on again, they count from zero.</summary>
    private void OnConfigChanged(GatewayConfig previous, GatewayConfig current)
    {
        lock (_toggle)
        {
            var on = current.Metrics.FrameworkRequestMetrics;
            if (on == _frameworkRequestMetrics)
            {
                return;
            }

            _frameworkRequestMetrics = on;
            foreach (var instrument in _frameworkRequest)
            {
                if (on)
                {
                    Enable(instrument);
                }
                else
                {
                    // Calls MeasurementsCompleted, which drops the instrument's series.
                    _listener.DisableMeasurementEvents(instrument);
                }
            }
        }
    }

    private static void Write(StringBuilder text, string name, List<InstrumentState> instruments)
    {
        var first = instruments[0];
        var series = instruments.SelectMany(i => i.Series).ToList();
        if (series.Count == 0)
        {
            return;
        }

        if (!string.IsNullOrEmpty(first.Instrument.Description))
        {
            text.Append("# HELP ").Append(name).Append(' ');
            PrometheusText.AppendHelp(text, first.Instrument.Description);
            text.Append('\n');
        }

        text.Append("# TYPE ").Append(name).Append(' ').Append(first.Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        }).Append('\n');

        foreach (var one in series)
        {
            switch (one)
            {
                case ValueSeries value:
                    Sample(text, name, value.Tags.Labels, null, value.Value);
                    break;
                case HistogramSeries histogram:
                    WriteHistogram(text, name, histogram);
                    break;
            }
        }
    }

    private static void WriteHistogram(StringBuilder text, string name, HistogramSeries histogram)
    {
        long cumulative = 0;
        for (var i = 0; i < histogram.Bounds.Length; i++)
        {
            cumulative += histogram.CountAt(i);
            Sample(text, name + "_bucket", histogram.Tags.Labels, PrometheusText.Number(histogram.Bounds[i]), cumulative);
        }

        cumulative += histogram.CountAt(histogram.Bounds.Length);
        Sample(text, name + "_bucket", histogram.Tags.Labels, "+Inf", cumulative);
        Sample(text, name + "_sum", histogram.Tags.Labels, null, histogram.Sum);
        Sample(text, name + "_count", histogram.Tags.Labels, null, cumulative);
    }

    private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? "," : string.Empty).Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(PrometheusText.Number(value)).Append('\n');
    }
}

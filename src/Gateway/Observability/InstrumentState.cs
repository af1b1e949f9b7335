using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Gateway.Observability;

internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>What <c>/metrics</c> keeps for one instrument: its Prometheus name and type, and a series per tag set.</summary>
internal sealed class InstrumentState
{
    private const int MaxSeries = 2000;

    // OpenTelemetry's default buckets, and the semantic conventions' advice for durations in seconds.
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly ConcurrentDictionary<TagSet, object> _series = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, object>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;
    private readonly double[] _bounds;

    private InstrumentState(Instrument instrument, MetricKind kind, bool setsValue, double[] bounds)
    {
        Instrument = instrument;
        Kind = kind;
        SetsValue = setsValue;
        _bounds = bounds;
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, kind);
        _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public Instrument Instrument { get; }

    public MetricKind Kind { get; }

    /// <summary>Gauges and observed counters report the current value; counters and up-down counters add to it.</summary>
    public bool SetsValue { get; }

    public string Name { get; }

    public IEnumerable<object> Series => _series.Values;

    /// <summary>Null for instruments Prometheus has no type for.</summary>
    public static InstrumentState? Create(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        (MetricKind Kind, bool Sets)? shape = definition switch
        {
            _ when definition == typeof(Counter<>) => (MetricKind.Counter, false),
            _ when definition == typeof(ObservableCounter<>) => (MetricKind.Counter, true),
            _ when definition == typeof(UpDownCounter<>) => (MetricKind.Gauge, false),
            _ when definition == typeof(ObservableUpDownCounter<>) => (MetricKind.Gauge, true),
            _ when definition == typeof(Gauge<>) || definition == typeof(ObservableGauge<>) => (MetricKind.Gauge, true),
            _ when definition == typeof(Histogram<>) => (MetricKind.Histogram, false),
            _ => null,
        };
        if (shape is not { } s)
        {
            return null;
        }

        var bounds = s.Kind == MetricKind.Histogram ? Buckets(instrument) : [];
        return new InstrumentState(instrument, s.Kind, s.Sets, bounds);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_lookup.TryGetValue(tags, out var series))
        {
            series = Add(tags);
        }

        switch (series)
        {
            case HistogramSeries histogram:
                histogram.Record(value);
                break;
            case ValueSeries single when SetsValue:
                single.Set(value);
                break;
            case ValueSeries single:
                single.Add(value);
                break;
        }
    }

    /// <summary>Before observable instruments are asked again: forget series that may have gone (a removed destination).</summary>
    public void ClearIfObserved()
    {
        if (Instrument.IsObservable)
        {
            _series.Clear();
        }
    }

    private object Add(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = _series.Count < MaxSeries ? new TagSet(tags) : TagSet.Overflow;
        object series = Kind == MetricKind.Histogram ? new HistogramSeries(key, _bounds) : new ValueSeries(key);
        return _series.GetOrAdd(key, series);
    }

    private static double[] Buckets(Instrument instrument)
    {
        var advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries?.ToArray(),
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        return advised ?? (instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets);
    }
}

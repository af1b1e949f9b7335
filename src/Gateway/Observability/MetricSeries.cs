using System.Globalization;
using System.Text;

namespace Gateway.Observability;

/// <summary>One combination of tag values of an instrument, with its Prometheus label text rendered once.</summary>
internal sealed class TagSet
{
    public TagSet(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        Tags = copy;
        Hash = TagSetComparer.HashOf(tags);
        Labels = Render(copy);
    }

    private TagSet(string labels)
    {
        Tags = [];
        Labels = labels;
    }

    /// <summary>Where measurements go once an instrument has too many series (as OpenTelemetry does).</summary>
    public static TagSet Overflow { get; } = new("otel_metric_overflow=\"true\"");

    public KeyValuePair<string, object?>[] Tags { get; }

    public int Hash { get; }

    /// <summary><c>route="app",status="200"</c>, or empty.</summary>
    public string Labels { get; }

    private static string Render(KeyValuePair<string, object?>[] tags)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(PrometheusText.Name(key)).Append("=\"");
            PrometheusText.AppendLabelValue(text, value switch
            {
                null => string.Empty,
                string s => s,
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? string.Empty,
            });
            text.Append('"');
        }

        return text.ToString();
    }
}

/// <summary>
/// Compares a recorded tag span with a stored <see cref="TagSet"/> without allocating, whatever order the tags come in,
/// so the hot path of every measurement is a dictionary lookup.
/// </summary>
internal sealed class TagSetComparer : IEqualityComparer<TagSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
{
    public static TagSetComparer Instance { get; } = new();

    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = 0;
        foreach (var (key, value) in tags)
        {
            hash += HashCode.Combine(key, value);
        }

        return hash;
    }

    public bool Equals(TagSet? x, TagSet? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && Equals((ReadOnlySpan<KeyValuePair<string, object?>>)x.Tags, y));

    public int GetHashCode(TagSet obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
    {
        var stored = other.Tags;
        if (alternate.Length != stored.Length)
        {
            return false;
        }

        foreach (var (key, value) in alternate)
        {
            var found = false;
            foreach (var pair in stored)
            {
                if (string.Equals(pair.Key, key, StringComparison.Ordinal) && object.Equals(pair.Value, value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => HashOf(alternate);

    public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate);
}

/// <summary>A sum (counters, up-down counters) or a last value (gauges, and observed cumulative counters).</summary>
internal sealed class ValueSeries(TagSet tags)
{
    private double _value;

    public TagSet Tags { get; } = tags;

    public double Value => Volatile.Read(ref _value);

    public void Add(double value)
    {
        double current, updated;
        do
        {
            current = Volatile.Read(ref _value);
            updated = current + value;
        }
        while (Interlocked.CompareExchange(ref _value, updated, current) != current);
    }

    public void Set(double value) => Volatile.Write(ref _value, value);
}

/// <summary>Explicit-bucket histogram: a count per bucket (the last one past every bound), and the sum.</summary>
internal sealed class HistogramSeries(TagSet tags, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private double _sum;

    public TagSet Tags { get; } = tags;

    public double[] Bounds { get; } = bounds;

    public double Sum => Volatile.Read(ref _sum);

    public long CountAt(int bucket) => Volatile.Read(ref _counts[bucket]);

    public void Record(double value)
    {
        var bucket = 0;
        while (bucket < Bounds.Length && value > Bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        double current, updated;
        do
        {
            current = Volatile.Read(ref _sum);
            updated = current + value;
        }
        while (Interlocked.CompareExchange(ref _sum, updated, current) != current);
    }
}

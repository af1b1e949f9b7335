using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Tests.TestSupport;

/// <summary>One sample of a scrape: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Key, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4): every line must be a HELP, a TYPE or a sample; a family is
/// typed once, before its samples; counters end in _total; histogram buckets are cumulative and end at +Inf = _count.
/// Throws <see cref="FormatException"/> naming the line otherwise.
/// </summary>
public sealed partial class PrometheusScrape
{
    private PrometheusScrape(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types)
    {
        Samples = samples;
        Types = types;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Family name → counter, gauge, histogram...</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>The sum of the samples with this name and these labels (0 when there are none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels)).Sum(s => s.Value);

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Check(HelpLine().IsMatch(line), number, line, "malformed HELP");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var type = TypeLine().Match(line);
                Check(type.Success, number, line, "malformed TYPE");
                var family = type.Groups["name"].Value;
                Check(types.TryAdd(family, type.Groups["type"].Value), number, line, "family typed twice");
                Check(type.Groups["type"].Value != "counter" || family.EndsWith("_total", StringComparison.Ordinal), number, line, "counter without _total");
                continue;
            }

            Check(!line.StartsWith('#'), number, line, "unknown comment");
            var sample = SampleLine().Match(line);
            Check(sample.Success, number, line, "malformed sample");
            var name = sample.Groups["name"].Value;
            var owner = FamilyOf(name, types);
            Check(owner is not null, number, line, "sample before its TYPE");
            samples.Add(new PrometheusSample(name, Labels(sample.Groups["labels"].Value, number, line), Value(sample.Groups["value"].Value, number, line)));
        }

        Check(text.Length == 0 || text.EndsWith('\n'), number, string.Empty, "the text must end with a newline");
        CheckHistograms(samples, types);
        return new PrometheusScrape(samples, types);
    }

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static Dictionary<string, string> Labels(string text, int number, string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < text.Length)
        {
            var label = LabelPair().Match(text, at);
            Check(label.Success && label.Index == at, number, line, "malformed labels");
            var value = new StringBuilder();
            var raw = label.Groups["value"].Value;
            for (var i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '\\')
                {
                    i++;
                    value.Append(raw[i] switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw new FormatException($"line {number}: bad escape: {line}") });
                }
                else
                {
                    value.Append(raw[i]);
                }
            }

            Check(labels.TryAdd(label.Groups["name"].Value, value.ToString()), number, line, "label twice");
            at = label.Index + label.Length;
        }

        return labels;
    }

    private static double Value(string text, int number, string line) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"line {number}: not a number: {line}"),
    };

    private static void CheckHistograms(List<PrometheusSample> samples, Dictionary<string, string> types)
    {
        foreach (var family in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var buckets = samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            foreach (var series in buckets)
            {
                var values = series.Select(s => (Le: Value(s.Labels["le"], 0, s.Labels["le"]), s.Value)).ToList();
                if (values.Zip(values.Skip(1)).Any(pair => pair.First.Le >= pair.Second.Le || pair.First.Value > pair.Second.Value) ||
                    !double.IsPositiveInfinity(values[^1].Le))
                {
                    throw new FormatException($"{family}{{{series.Key}}}: buckets must rise to +Inf and be cumulative.");
                }

                var count = samples.Single(s => s.Name == family + "_count" && SameSeries(s, series.First()));
                if (count.Value != values[^1].Value)
                {
                    throw new FormatException($"{family}{{{series.Key}}}: _count {count.Value} differs from the +Inf bucket {values[^1].Value}.");
                }
            }
        }
    }

    private static bool SameSeries(PrometheusSample a, PrometheusSample bucket) =>
        a.Labels.Count == bucket.Labels.Count - 1 && a.Labels.All(l => bucket.Labels.TryGetValue(l.Key, out var v) && v == l.Value);

    private static void Check(bool condition, int number, string line, string what)
    {
        if (!condition)
        {
            throw new FormatException($"line {number}: {what}: {line}");
        }
    }

    [GeneratedRegex(@"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([^""}]|""(\\.|[^""\\])*"")*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)"",?")]
    private static partial Regex LabelPair();
}

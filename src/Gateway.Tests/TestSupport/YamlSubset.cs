using System.Globalization;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A strict reader of the YAML the repository's deployment files are written in: documents (<c>---</c>), block
/// mappings and sequences, plain, single- and double-quoted scalars, literal blocks (<c>|</c>, <c>|-</c>), and flow
/// sequences of scalars (<c>["a", "b"]</c>). Anything else YAML allows (anchors, tags, folded blocks, flow mappings,
/// multi-line plain scalars, tabs, duplicate keys) is refused with the line number, so that what parses here means
/// the same to any YAML parser. Mappings become ordered <see cref="YamlMap"/>s, sequences lists, scalars strings
/// (null for <c>~</c>, <c>null</c> and empty values).
/// </summary>
public static partial class YamlSubset
{
    public static IReadOnlyList<object?> ParseDocuments(string text)
    {
        var documents = new List<object?>();
        var current = new List<(int Number, string Text)>();
        var number = 0;
        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            number++;
            if (raw.Contains('\t', StringComparison.Ordinal))
            {
                throw new FormatException($"line {number}: tab characters are not allowed in YAML indentation.");
            }

            if (raw.TrimEnd() == "---")
            {
                if (current.Any(l => !IsBlank(l.Text)))
                {
                    documents.Add(new Reader(current).Document());
                }

                current = [];
                continue;
            }

            current.Add((number, raw));
        }

        if (current.Any(l => !IsBlank(l.Text)))
        {
            documents.Add(new Reader(current).Document());
        }

        return documents;
    }

    private static bool IsBlank(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith('#');

    private sealed partial class Reader(List<(int Number, string Text)> lines)
    {
        private int _at;

        public object? Document()
        {
            Skip();
            var value = Block(Indent(lines[_at].Text));
            Skip();
            if (_at < lines.Count)
            {
                Fail("unexpected content after the document (check the indentation)");
            }

            return value;
        }

        private object? Block(int indent)
        {
            Skip();
            var text = lines[_at].Text;
            return text.TrimStart().StartsWith("- ", StringComparison.Ordinal) || text.Trim() == "-" ? Sequence(indent) : Mapping(indent);
        }

        private List<object?> Sequence(int indent)
        {
            var items = new List<object?>();
            while (Skip() && Indent(lines[_at].Text) == indent && IsItem(lines[_at].Text))
            {
                var text = lines[_at].Text;
                var content = text[(indent + 1)..];
                if (content.Trim().Length == 0)
                {
                    _at++;
                    items.Add(Nested(indent));
                    continue;
                }

                // "- key: value" starts a mapping whose keys line up two columns in.
                var itemIndent = indent + 1 + (content.Length - content.TrimStart().Length);
                if (KeyOf(content.Trim()) is not null)
                {
                    lines[_at] = (lines[_at].Number, new string(' ', itemIndent) + content.TrimStart());
                    items.Add(Mapping(itemIndent));
                }
                else
                {
                    items.Add(Scalar(content.Trim(), indent));
                }
            }

            return items;
        }

        private YamlMap Mapping(int indent)
        {
            var map = new YamlMap();
            while (Skip() && Indent(lines[_at].Text) == indent && !IsItem(lines[_at].Text))
            {
                var line = lines[_at].Text.Trim();
                var split = KeyOf(line);
                if (split is null)
                {
                    Fail("expected 'key: value'");
                }

                var (key, rest) = split!.Value;
                if (map.ContainsKey(key))
                {
                    Fail($"duplicate key '{key}'");
                }

                if (rest.Length == 0)
                {
                    _at++;
                    map[key] = Nested(indent, sequenceMayAlign: true);
                }
                else
                {
                    map[key] = Scalar(rest, indent);
                }
            }

            if (Skip() && Indent(lines[_at].Text) > indent)
            {
                Fail("indented more than the keys around it");
            }

            return map;
        }

        // The value under "key:" or "-": a deeper block, a sequence at the key's own column, or nothing (null).
        private object? Nested(int indent, bool sequenceMayAlign = false)
        {
            if (!Skip())
            {
                return null;
            }

            var next = Indent(lines[_at].Text);
            if (next > indent)
            {
                return Block(next);
            }

            return sequenceMayAlign && next == indent && IsItem(lines[_at].Text) ? Sequence(indent) : null;
        }

        private static (string Key, string Text)? KeyOf(string line)
        {
            if (line.StartsWith('"') || line.StartsWith('\''))
            {
                var end = line.IndexOf(line[0], 1);
                return end > 0 && end + 1 < line.Length && line[end + 1] == ':' && (end + 2 == line.Length || line[end + 2] == ' ')
                    ? (line[1..end], line[(end + 2)..].Trim())
                    : null;
            }

            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (line.EndsWith(':') && (colon < 0 || colon == line.Length - 1))
            {
                colon = line.Length - 1;
            }

            if (colon <= 0 || line.StartsWith('#'))
            {
                return null;
            }

            var key = line[..colon];
            return key.Contains('#', StringComparison.Ordinal) || key.Contains('"', StringComparison.Ordinal) ? null : (key, line[(colon + 1)..].Trim());
        }

        private static bool IsItem(string text) => text.TrimStart().StartsWith("- ", StringComparison.Ordinal) || text.Trim() == "-";

        private static int Indent(string text) => text.Length - text.TrimStart(' ').Length;

        private bool Skip()
        {
            while (_at < lines.Count && IsBlank(lines[_at].Text))
            {
                _at++;
            }

            return _at < lines.Count;
        }

        private void Fail(string what) =>
            throw new FormatException($"line {lines[Math.Min(_at, lines.Count - 1)].Number}: {what}: {lines[Math.Min(_at, lines.Count - 1)].Text.Trim()}");
    }
}

/// <summary>A YAML mapping in document order, with typed look-ups that fail with the path they were given.</summary>
public sealed class YamlMap : Dictionary<string, object?>
{
    public YamlMap()
        : base(StringComparer.Ordinal)
    {
    }

    public YamlMap Map(string key) => this.GetValueOrDefault(key) as YamlMap ?? throw new KeyNotFoundException($"'{key}' is not a mapping here.");

    public List<object?> List(string key) => this.GetValueOrDefault(key) as List<object?> ?? throw new KeyNotFoundException($"'{key}' is not a sequence here.");

    public string Text(string key) => this.GetValueOrDefault(key) as string ?? throw new KeyNotFoundException($"'{key}' is not a scalar here.");

    public int Int(string key) => int.Parse(Text(key), CultureInfo.InvariantCulture);

    public IEnumerable<YamlMap> Maps(string key) => List(key).Cast<YamlMap>();
}

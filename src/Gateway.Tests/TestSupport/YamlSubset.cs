using System.Globalization;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A strict reader of the YAML the repository's deployment files are written in: documents (<c>---</c>), block
/// mappings and sequences, plain, single- and double-quoted scalars, literal blocks (<c>|</c>, <c>|-</c>), and flow
/// sequences of scalars (<c>["a", "b"]</c>). Anything else YAML allows (anchors, tags, folded blocks, flow mappings,
/// multi-line plain scalars, tabs, duplicate keys) is refused with the line number, so that what parses here means
/// the same to any YAML parser. Mappings become ordered <see cref="YamlMap"/>s, sequences lists, scalars strings
/// (null for <c>~</c>, <c>null</c> and empty values).
/// </summary>
public static class YamlSubset
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

    private sealed class Reader(List<(int Number, string Text)> lines)
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

        private object? Scalar(string text, int indent)
        {
            var value = StripComment(text);
            _at++;
            switch (value)
            {
                case "|" or "|-":
                    return Literal(indent, keepNewline: value == "|");
                case "~" or "null" or "":
                    return null;
                case "[]":
                    return new List<object?>();
                case "{}":
                    return new YamlMap();
            }

            if (value[0] == '[')
            {
                if (!value.EndsWith(']'))
                {
                    Fail("a flow sequence must end on its line");
                }

                return SplitFlow(value[1..^1]).Select(item => (object?)Quoted(item.Trim())).ToList();
            }

            if (value[0] is '{' or '>' or '&' or '*' or '!' or '%' or '@' or '`')
            {
                Fail($"'{value[0]}' starts YAML this reader does not accept");
            }

            var quoted = Quoted(value);
            if (value[0] is not ('"' or '\'') && Skip() && Indent(lines[_at].Text) > indent && !IsItem(lines[_at].Text) && KeyOf(lines[_at].Text.Trim()) is null)
            {
                Fail("a plain scalar continues on the next line; quote it or use '|'");
            }

            return quoted;
        }

        private string Literal(int indent, bool keepNewline)
        {
            var text = new StringBuilder();
            var blockIndent = -1;
            while (_at < lines.Count)
            {
                var line = lines[_at].Text;
                if (line.Trim().Length == 0)
                {
                    text.Append('\n');
                    _at++;
                    continue;
                }

                var lineIndent = Indent(line);
                if (lineIndent <= indent)
                {
                    break;
                }

                blockIndent = blockIndent < 0 ? lineIndent : blockIndent;
                if (lineIndent < blockIndent)
                {
                    Fail("a literal block's lines must keep its first line's indentation");
                }

                text.Append(line[blockIndent..]).Append('\n');
                _at++;
            }

            var result = text.ToString().TrimEnd('\n');
            return keepNewline ? result + "\n" : result;
        }

        private string Quoted(string value)
        {
            if (value.Length >= 2 && value[0] == '\'' && value[^1] == '\'')
            {
                return value[1..^1].Replace("''", "'", StringComparison.Ordinal);
            }

            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                var result = new StringBuilder();
                for (var i = 1; i < value.Length - 1; i++)
                {
                    if (value[i] != '\\')
                    {
                        result.Append(value[i]);
                        continue;
                    }

                    i++;
                    result.Append(value[i] switch
                    {
                        '"' => '"',
                        '\\' => '\\',
                        'n' => '\n',
                        't' => '\t',
                        '/' => '/',
                        _ => throw new FormatException($"line {lines[Math.Min(_at, lines.Count) - 1].Number}: unknown escape \\{value[i]}"),
                    });
                }

                return result.ToString();
            }

            if (value[0] is '"' or '\'')
            {
                Fail("a quoted scalar must end on its line");
            }

            if (value.Contains(": ", StringComparison.Ordinal) || value.EndsWith(':'))
            {
                Fail($"'{value}' holds ': '; quote it");
            }

            return value;
        }

        private static IEnumerable<string> SplitFlow(string inner)
        {
            var item = new StringBuilder();
            var quote = '\0';
            foreach (var c in inner)
            {
                if (quote != '\0')
                {
                    item.Append(c);
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '"' or '\'')
                {
                    quote = c;
                    item.Append(c);
                }
                else if (c == ',')
                {
                    yield return item.ToString();
                    item.Clear();
                }
                else if (c is '[' or '{')
                {
                    throw new FormatException("nested flow collections are beyond this reader");
                }
                else
                {
                    item.Append(c);
                }
            }

            if (item.ToString().Trim().Length > 0)
            {
                yield return item.ToString();
            }
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

        private static string StripComment(string text)
        {
            var quote = '\0';
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quote != '\0')
                {
                    quote = c == quote ? '\0' : quote;
                }
                else if (c is '"' or '\'' && (i == 0 || text[i - 1] is ' ' or '[' or ','))
                {
                    quote = c;
                }
                else if (c == '#' && i > 0 && text[i - 1] == ' ')
                {
                    return text[..i].TrimEnd();
                }
            }

            return text.Trim();
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

using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>The scalar half of <see cref="YamlSubset"/>: plain, quoted, literal and flow values, and comments.</summary>
public static partial class YamlSubset
{
    private sealed partial class Reader
    {
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
    }
}

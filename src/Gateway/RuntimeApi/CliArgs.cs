using System.Text;

namespace Gateway.RuntimeApi;

/// <summary>
/// The words of one command, as HAProxy 2.6 splits them: spaces and tabs separate words, <c>\</c> escapes the next
/// character (<c>\\</c> is one backslash), quotes are not special, at most 64 words (the rest is dropped), and a word
/// <c>&lt;&lt;</c> at the end of the line announces a payload. Missing words read as empty, as HAProxy's do.
/// </summary>
internal readonly struct CliArgs
{
    public const int MaxWords = 64;

    private readonly string[] _words;

    public CliArgs(string[] words, int count, string? payload)
    {
        _words = words;
        Count = count;
        Payload = payload;
    }

    public int Count { get; }

    /// <summary>The payload lines (joined with <c>\n</c>) of a command ending with <c>&lt;&lt;</c>; null without one.</summary>
    public string? Payload { get; }

    public string this[int index] => index < Count ? _words[index] : string.Empty;

    /// <summary>The command line's text: bytes up to the first NUL (C string semantics), UTF-8 decoded.</summary>
    public static string Decode(ReadOnlySpan<byte> line)
    {
        var nul = line.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? line[..nul] : line);
    }

    /// <summary>Splits a command line into words; <paramref name="payload"/> is attached when the line announced one.</summary>
    public static CliArgs Parse(string line, string? payload = null)
    {
        var words = new string[8];
        var count = 0;
        var position = 0;
        string? attached = null;
        StringBuilder? escaped = null;
        while (count < MaxWords && position < line.Length)
        {
            while (position < line.Length && line[position] is ' ' or '\t')
            {
                position++;
            }

            if (position >= line.Length)
            {
                break;
            }

            if (payload is not null && position == line.Length - 2 && line[position] == '<' && line[position + 1] == '<')
            {
                attached = payload;
                break;
            }

            var start = position;
            var hasEscape = false;
            while (position < line.Length && line[position] is not (' ' or '\t'))
            {
                if (line[position] == '\\')
                {
                    // The escaped character never ends the word, whatever it is.
                    hasEscape = true;
                    position++;
                }

                position++;
            }

            position = Math.Min(position, line.Length);
            if (count == words.Length)
            {
                Array.Resize(ref words, Math.Min(MaxWords, words.Length * 2));
            }

            words[count++] = hasEscape ? Unescape(line.AsSpan(start, position - start), escaped ??= new StringBuilder()) : line[start..position];
        }

        return new CliArgs(words, count, attached);
    }

    /// <summary>"\x" is x, "\\" is one backslash, a trailing backslash vanishes.</summary>
    private static string Unescape(ReadOnlySpan<char> word, StringBuilder builder)
    {
        builder.Clear();
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] == '\\' && ++i >= word.Length)
            {
                break;
            }

            builder.Append(word[i]);
        }

        return builder.ToString();
    }

    /// <summary>True when the line ends with <c>&lt;&lt;</c> (after an optional CR), which switches to payload mode.</summary>
    public static bool AnnouncesPayload(ReadOnlySpan<byte> line) => line.EndsWith("<<"u8);
}

using System.Text;

namespace Gateway.RuntimeApi;

/// <summary>
/// <c>help</c>, and the reply to an unknown command, computed as HAProxy 2.6's <c>cli_gen_usage_msg</c> does: the words
/// that match a command exactly are kept, the rest are compared by character-transition fingerprints, and up to five
/// close commands are proposed, sorted by their help line; with no close one, every command under the matched words
/// is listed. Run on Gateway's command table, it answers with the commands Gateway has.
/// </summary>
internal static class CliUsage
{
    private const int MaxMatches = 5;

    /// <summary>HAProxy's CLI_PREFIX_KW_NB: words a keyword may have.</summary>
    private const int KeywordWords = 5;

    public static string Build(IReadOnlyList<CliCommand> table, in CliArgs args)
    {
        var offset = 0;
        var isHelp = args[0] == "help";
        if (isHelp)
        {
            offset = 1;
        }

        var words = new string[KeywordWords + 1];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = args[offset + i];
        }

        var length = 0;
        foreach (var command in table)
        {
            for (var idx = 0; idx < KeywordWords && idx < command.Keywords.Length && words[idx].Length > 0 && command.Keywords[idx] == words[idx]; idx++)
            {
                length = Math.Max(length, idx + 1);
            }
        }

        var text = new StringBuilder(isHelp ? Replies.HelpHeader : length == 0 && words[0].Length == 0 ? Replies.UnknownCommand : Replies.UnknownCommandSuggestions);
        var entries = new List<CliCommand>();
        var matches = Fuzzy(table, words, length);
        if (matches.Count > 0)
        {
            entries.AddRange(matches.TakeWhile(m => m.Distance <= 5 * matches[0].Distance / 2).Select(m => m.Command));
        }
        else
        {
            entries.AddRange(table.Where(c => c.Usage is not null && MatchesFirstWords(c, words, length)));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Usage, b.Usage));
        foreach (var entry in entries)
        {
            text.Append("  ").Append(entry.Usage).Append('\n');
        }

        return text.Append(Replies.UsageFooter).ToString();
    }

    private static List<(CliCommand Command, int Distance)> Fuzzy(IReadOnlyList<CliCommand> table, string[] words, int length)
    {
        var matches = new List<(CliCommand Command, int Distance)>(MaxMatches + 1);
        if (words[length].Length == 0)
        {
            return matches;
        }

        var wordPrint = new byte[1024];
        var listPrint = new byte[1024];
        foreach (var command in table)
        {
            if (command.Usage is null || !MatchesFirstWords(command, words, length))
            {
                continue;
            }

            Array.Clear(wordPrint);
            Array.Clear(listPrint);
            var totalLength = 0;
            for (var i = length; i < KeywordWords && words[i].Length > 0; i++)
            {
                totalLength += Fingerprint(wordPrint, words[i]);
            }

            for (var i = length; i < KeywordWords && i < command.Keywords.Length; i++)
            {
                totalLength += Fingerprint(listPrint, command.Keywords[i]);
            }

            var distance = 0;
            for (var i = 0; i < wordPrint.Length; i++)
            {
                distance += Math.Abs(wordPrint[i] - listPrint[i]);
            }

            // Keep the best five, a newcomer going after the ones as good as it (HAProxy's insertion order).
            if (distance < 5 * totalLength / 2 && (matches.Count < MaxMatches || distance < matches[^1].Distance))
            {
                if (matches.Count == MaxMatches)
                {
                    matches.RemoveAt(MaxMatches - 1);
                }

                var at = matches.Count;
                while (at > 0 && matches[at - 1].Distance > distance)
                {
                    at--;
                }

                matches.Insert(at, (command, distance));
            }
        }

        return matches;
    }

    private static bool MatchesFirstWords(CliCommand command, string[] words, int length)
    {
        for (var idx = 0; idx < length; idx++)
        {
            if (idx >= command.Keywords.Length || words[idx].Length == 0 || command.Keywords[idx] != words[idx])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// HAProxy's <c>update_word_fingerprint</c>: counts transitions between character classes (26 letters, digit, other,
    /// with begin and end as "other") in a 32x32 table; row 0 marks which classes occur. Returns the word's byte length.
    /// </summary>
    private static int Fingerprint(byte[] print, string word)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(word.Length)];
        var count = Encoding.UTF8.GetBytes(word, bytes);
        var from = 28;
        foreach (var b in bytes[..count])
        {
            var c = b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b;
            var to = c is >= 'a' and <= 'z' ? c - 'a' + 1 : c is >= '0' and <= '9' ? 27 : 28;
            print[to] = 1;
            print[(32 * from) + to]++;
            from = to;
        }

        print[(32 * from) + 28]++;
        return count;
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// Makes a HAProxy reply and a Gateway reply comparable, touching only what must differ: entry addresses (pointers in
/// HAProxy, ids in Gateway), list descriptions and the entry counter HAProxy lets drift (compared separately), the
/// info values and stat counters of two different programs, the time since a server changed, versions, and in usage
/// listings the commands Gateway does not offer. Everything else, bytes and structure, must be equal.
/// </summary>
public sealed partial class TranscriptNormalizer(IReadOnlySet<string> offeredUsageLines, IReadOnlySet<int> listIds)
{
    private static readonly string[] UsageHeaders =
    [
        "The following commands are valid at this level:",
        "Unknown command. Please enter one of the following commands only:",
        "Unknown command, but maybe one of the following ones is a better match:",
    ];

    private static readonly string[] StatColumns = ["pxname", "svname", "status", "weight", "act", "bck", "iid", "sid", "type", "addr", "mode", "algo", "check_status"];

    public string Normalize(byte[] reply)
    {
        var output = new StringBuilder();
        var block = Block.None;
        string[]? statHeader = null;
        foreach (var raw in Encoding.Latin1.GetString(reply).Split('\n'))
        {
            var prompt = Prompt().Match(raw).Value;
            var line = raw[prompt.Length..];
            if (line.Length == 0)
            {
                block = Block.None;
            }
            else if (UsageHeaders.Contains(line))
            {
                block = Block.Usage;
            }
            else if (line.StartsWith("Name: ", StringComparison.Ordinal))
            {
                block = Block.Info;
            }
            else if (line.StartsWith("# pxname,", StringComparison.Ordinal))
            {
                block = Block.Stat;
                statHeader = line[2..].Split(',');
            }
            else if (line.StartsWith("# be_id ", StringComparison.Ordinal))
            {
                block = Block.ServersState;
            }

            output.Append(prompt);
            switch (block)
            {
                case Block.Usage when line.StartsWith("  ", StringComparison.Ordinal):
                    if (!offeredUsageLines.Contains(line))
                    {
                        output.Length -= prompt.Length;
                        continue;
                    }

                    output.Append(line);
                    break;
                case Block.Info:
                    output.Append(line.Contains(": ", StringComparison.Ordinal) ? line[..line.IndexOf(": ", StringComparison.Ordinal)] + ": …" : line);
                    break;
                case Block.Stat when !line.StartsWith('#'):
                    output.Append(StatRow(statHeader!, line));
                    break;
                case Block.ServersState when !line.StartsWith('#'):
                    var fields = line.Split(' ');
                    fields[9] = "…";
                    output.Append(string.Join(' ', fields));
                    break;
                default:
                    if (Listing().Match(line) is { Success: true } listing)
                    {
                        if (!listIds.Contains(int.Parse(listing.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
                        {
                            output.Length -= prompt.Length;
                            continue;
                        }

                        output.Append(listing.Groups[1].Value).Append(" (…) … curr_ver=").Append(listing.Groups[2].Value)
                            .Append(" next_ver=").Append(listing.Groups[3].Value).Append(" entry_cnt=…");
                    }
                    else
                    {
                        output.Append(Version().IsMatch(line) ? "<version>" : Address().Replace(line, "0x…"));
                    }

                    break;
            }

            output.Append('\n');
        }

        return output.ToString();
    }

    /// <summary>A stat row reduced to its structure (which cells are empty) and the columns both programs must agree on.</summary>
    private static string StatRow(string[] header, string line)
    {
        var cells = line.Split(',');
        var mask = new StringBuilder();
        for (var i = 0; i < Math.Min(header.Length, cells.Length); i++)
        {
            mask.Append(cells[i].Length == 0 ? '.' : '#');
        }

        var picked = StatColumns.Select(c => Array.IndexOf(header, c)).Select(i => i >= 0 && i < cells.Length ? cells[i] : "?");
        return $"{string.Join(',', picked)} [{mask}] ({cells.Length} cells)";
    }

    private enum Block
    {
        None,
        Usage,
        Info,
        Stat,
        ServersState,
    }

    [GeneratedRegex("^(> |\\+ )*")]
    private static partial Regex Prompt();

    [GeneratedRegex(@"^(\d+) \(.*\) .*\. curr_ver=(\d+) next_ver=(\d+) entry_cnt=\d+$")]
    private static partial Regex Listing();

    [GeneratedRegex("^0x[0-9a-f]+(?= )")]
    private static partial Regex Address();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\S*$")]
    private static partial Regex Version();
}

using Gateway.RuntimeApi;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// The help and unknown-command algorithm, run on HAProxy 2.6's own keyword table (Transcripts/haproxy-2.6-commands.txt),
/// must give HAProxy's own replies, byte for byte: the proof that Gateway proposes commands as HAProxy does.
/// </summary>
public sealed class CliUsageTests
{
    private static readonly IReadOnlyList<CliCommand> HaproxyTable = File.ReadAllLines(Path.Combine(Transcripts.Folder, "haproxy-2.6-commands.txt"))
        .Where(line => !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(parts => new CliCommand(parts[0], parts[1].Length == 0 ? null : parts[1], CliLevel.User, (_, _) => ValueTask.CompletedTask))
        .ToList();

    public static TheoryData<string> Suggestions()
    {
        var data = new TheoryData<string>();
        foreach (var input in Directory.GetFiles(Path.Combine(Transcripts.Folder, "suggestions"), "*.in").Order(StringComparer.Ordinal))
        {
            var recorded = File.ReadAllText(Path.ChangeExtension(input, ".out"));
            if (recorded.StartsWith("Unknown command", StringComparison.Ordinal) || recorded.StartsWith("The following", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileNameWithoutExtension(input));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Suggestions))]
    public void Build_HaproxyTable_SameReplyAsHaproxy(string name)
    {
        var input = File.ReadAllText(Path.Combine(Transcripts.Folder, "suggestions", name + ".in")).TrimEnd('\n');
        var recorded = File.ReadAllText(Path.Combine(Transcripts.Folder, "suggestions", name + ".out"));

        var reply = CliUsage.Build(HaproxyTable, CliArgs.Parse(input)) + "\n";

        Assert.Equal(recorded, reply);
    }

    [Fact]
    public void Build_Help_HaproxyTable_SameHelpAsHaproxy()
    {
        var recorded = File.ReadAllText(Path.Combine(Transcripts.Folder, "cases", "001-help.out"));

        Assert.Equal(recorded, CliUsage.Build(HaproxyTable, CliArgs.Parse("help")) + "\n");
    }

    [Fact]
    public void Build_EmptyCommand_ListsEveryCommandUnderUnknownHeader()
    {
        var recorded = File.ReadAllText(Path.Combine(Transcripts.Folder, "cases", "003-empty-command-prints-usage.out"));

        Assert.Equal(recorded, CliUsage.Build(HaproxyTable, CliArgs.Parse(string.Empty)) + "\n");
    }

    [Fact]
    public void Suggestions_RecordedInputs_ExerciseManyKindsOfMistakes() =>
        Assert.True(Suggestions().Count >= 30, "the suggestion transcripts should exercise many inputs");
}

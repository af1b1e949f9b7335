namespace Gateway.RuntimeApi;

/// <summary>Runs one command: writes its reply (not the final empty line) to the context's output.</summary>
internal delegate ValueTask CliHandler(CliContext context, CliArgs args);

/// <summary>
/// One entry of the command table: the words that select it (HAProxy's <c>str_kw</c>), its help line (null for
/// commands help does not list), the level it needs, and the method that runs it.
/// </summary>
internal sealed record CliCommand(string Words, string? Usage, CliLevel Level, CliHandler Handler)
{
    public string[] Keywords { get; } = Words.Split(' ');

    /// <summary>
    /// The command only adds (it reads nothing another change could alter) and may leave its write in flight through
    /// <see cref="CliContext.Defer"/>: the session then reads the next command without waiting for the store.
    /// </summary>
    public bool Pipelined { get; init; }
}

/// <summary>A family of commands (lists, maps, servers...): one method per command, registered in the table.</summary>
internal interface ICliCommandFamily
{
    IEnumerable<CliCommand> Commands { get; }
}

/// <summary>
/// Every command the runtime API knows. A command line selects the first entry whose words all equal its first words
/// (extra words go to the command), exactly as HAProxy's <c>cli_find_kw</c>.
/// </summary>
internal sealed class CommandTable
{
    public CommandTable(IEnumerable<ICliCommandFamily> families)
        : this(families.SelectMany(f => f.Commands).ToArray())
    {
    }

    public CommandTable(IReadOnlyList<CliCommand> commands)
    {
        All = commands;
    }

    public IReadOnlyList<CliCommand> All { get; }

    public CliCommand? Find(in CliArgs args)
    {
        foreach (var command in All)
        {
            var keywords = command.Keywords;
            var match = true;
            for (var i = 0; i < keywords.Length && match; i++)
            {
                match = string.Equals(keywords[i], args[i], StringComparison.Ordinal);
            }

            if (match)
            {
                return command;
            }
        }

        return null;
    }
}

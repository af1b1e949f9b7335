namespace Gateway.RuntimeApi;

/// <summary>One connection's state as commands see it: where replies go, the level, the mode, who is acting.</summary>
internal sealed class CliContext(CliOutput output, CliLevel level, string actor, CommandTable table, CancellationToken aborted)
{
    public CliOutput Output { get; } = output;

    /// <summary>The session's level; <c>operator</c> and <c>user</c> lower it, nothing raises it.</summary>
    public CliLevel Level { get; set; } = level;

    /// <summary>Interactive mode (<c>prompt</c>): the connection stays open and every reply ends with the prompt.</summary>
    public bool Interactive { get; set; }

    /// <summary>Set by <c>quit</c>: the connection closes without another byte.</summary>
    public bool Quit { get; set; }

    /// <summary>Who the audit log names for changes made here: <c>socket:admin.sock</c>, <c>socket:127.0.0.1:9999</c>.</summary>
    public string Actor { get; } = actor;

    public CommandTable Table { get; } = table;

    /// <summary>Cancelled when the client is gone or the gateway stops.</summary>
    public CancellationToken Aborted { get; } = aborted;

    public void Reply(string text) => Output.Write(text);
}

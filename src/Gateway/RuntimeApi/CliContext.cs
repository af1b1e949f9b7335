using Gateway.State;

namespace Gateway.RuntimeApi;

/// <summary>
/// One connection's state as commands see it: where replies go, the level, the mode, who is acting, and the changes
/// still being recorded. A pipelined command (<c>add acl</c>, <c>add map</c>) hands its write to <see cref="Defer"/>
/// instead of waiting for it; every reply after it is held back until the write is recorded, so no client hears an
/// acknowledgement before the change is stored, while a burst of changes on one connection shares the store's writes.
/// </summary>
internal sealed class CliContext(CliOutput output, CliLevel level, string actor, CommandTable table, CancellationToken aborted)
{
    /// <summary>Changes in flight at most before the session waits for them (memory stays bounded).</summary>
    public const int MaxInFlight = 1024;

    private readonly Queue<(Task? Write, string? Text)> _held = new();

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

    /// <summary>Changes handed to the store and not yet recorded, with the replies waiting behind them.</summary>
    public int InFlight => _held.Count;

    /// <summary>Writes a reply, or holds it behind the changes still in flight.</summary>
    public void Reply(string text)
    {
        if (_held.Count == 0)
        {
            Output.Write(text);
        }
        else if (text.Length > 0)
        {
            _held.Enqueue((null, text));
        }
    }

    /// <summary>Lets a change be recorded while the next commands are read; its failure is reported in its place.</summary>
    public void Defer(ValueTask write)
    {
        if (_held.Count == 0 && write.IsCompletedSuccessfully)
        {
            return;
        }

        _held.Enqueue((write.AsTask(), null));
    }

    /// <summary>Waits for every change in flight, in order, writing the replies held behind each.</summary>
    public async ValueTask DrainAsync(Action<StoreUnavailableException> failed)
    {
        while (_held.TryDequeue(out var held))
        {
            if (held.Write is { } write)
            {
                try
                {
                    await write;
                }
                catch (StoreUnavailableException e)
                {
                    failed(e);
                    Output.Write(Replies.FailedToUpdate);
                }
            }
            else
            {
                Output.Write(held.Text!);
            }

            if (Output.ShouldFlush)
            {
                await Output.FlushAsync();
            }
        }
    }
}

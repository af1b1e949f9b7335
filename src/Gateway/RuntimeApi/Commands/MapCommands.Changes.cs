namespace Gateway.RuntimeApi.Commands;

/// <summary>The map family's changes to existing tokens: <c>set</c>, <c>del</c>, <c>clear</c>, <c>prepare</c>, <c>commit</c>.</summary>
internal sealed partial class MapCommands
{
    private async ValueTask SetAsync(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0 || args[3].Length == 0 || args[4].Length == 0)
        {
            context.Reply(Replies.SetMapUsage);
            return;
        }

        var target = PatternRef.Resolve(state, args[2], preferMap: true);
        var reference = CliNumbers.TryParseReference(args[3], out var id);
        if (target is null)
        {
            context.Reply(Replies.UnknownMap);
        }
        else if (reference == false)
        {
            context.Reply(Replies.MalformedReference);
        }
        else if (target.Value.List is { } list)
        {
            // Lists keep no values: setting one changes nothing, but an unknown entry is still reported.
            var exists = list.Entries.Any(e => reference == true ? e.Id == id : e.Pattern == args[3]);
            context.Reply(exists ? string.Empty : Replies.EntryNotFound);
        }
        else
        {
            var map = target.Value.Map!;
            var kat = reference == true ? map.Tokens.FirstOrDefault(k => k.Id == id) : Lookup(map, args[3], time.GetUtcNow());
            if (kat is null)
            {
                context.Reply(Replies.EntryNotFound);
                return;
            }

            await writer.SetTokenValueAsync(map, kat.Hash, args[4], context.Actor, context.Aborted);
        }
    }

    private async ValueTask DeleteAsync(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0 || args[3].Length == 0)
        {
            context.Reply(Replies.DelMapUsage);
            return;
        }

        if (PatternRef.Resolve(state, args[2], preferMap: true) is not { Map: { } map })
        {
            context.Reply(Replies.UnknownMap);
            return;
        }

        var reference = CliNumbers.TryParseReference(args[3], out var id);
        if (reference == false)
        {
            context.Reply(Replies.MalformedReference);
            return;
        }

        var kat = reference == true ? map.Tokens.FirstOrDefault(k => k.Id == id) : Lookup(map, args[3], time.GetUtcNow());
        if (kat is null)
        {
            context.Reply(Replies.KeyNotFound);
            return;
        }

        await writer.RemoveTokenAsync(map, kat.Hash, context.Actor, context.Aborted);
    }

    private async ValueTask ClearAsync(CliContext context, CliArgs args)
    {
        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (args[at].Length == 0)
        {
            context.Reply(Replies.MissingMap);
        }
        else if (PatternRef.Resolve(state, args[at], preferMap: true) is not { Map: { } map })
        {
            context.Reply(Replies.UnknownMap);
        }
        else if (version is null || version == (uint)map.CurrentVersion)
        {
            await writer.ClearTokensAsync(map, context.Actor, context.Aborted);
        }
        else
        {
            map.ClearVersion((int)version.Value);
        }
    }

    private ValueTask Prepare(CliContext context, CliArgs args)
    {
        context.Reply(PatternRef.Resolve(state, args[2], preferMap: true) is { Map: { } map }
            ? Replies.NewVersion((uint)map.Prepare())
            : Replies.UnknownMap);
        return ValueTask.CompletedTask;
    }

    private async ValueTask CommitAsync(CliContext context, CliArgs args)
    {
        if (!args[2].StartsWith('@'))
        {
            context.Reply(Replies.MissingVersion);
        }
        else if (args[3].Length == 0)
        {
            context.Reply(Replies.MissingMap);
        }
        else if (PatternRef.Resolve(state, args[3], preferMap: true) is not { Map: { } map })
        {
            context.Reply(Replies.UnknownMap);
        }
        else
        {
            var version = CliNumbers.ParseVersion(args[2]);
            if (!Versions.CanCommit(version, map.CurrentVersion, map.NextVersion) ||
                !await writer.CommitMapVersionAsync(map, (int)version, context.Actor, context.Aborted))
            {
                context.Reply(Replies.VersionOutOfRange);
            }
        }
    }
}

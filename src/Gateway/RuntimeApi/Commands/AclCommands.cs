using Gateway.Access;
using Gateway.Access.Lists;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// The <c>acl</c> family: access lists as HAProxy's <c>src</c> ACLs (<c>acl knoc src -u 500</c>). Entries are shown
/// verbatim in insertion order, duplicates included; <c>del</c> removes every identical entry; lookups compare by value.
/// Every change goes through <see cref="AccessWriter"/>, so it is stored, audited and survives a reload.
/// </summary>
internal sealed class AclCommands(AccessState state, AccessWriter writer, TimeProvider time) : ICliCommandFamily
{
    public IEnumerable<CliCommand> Commands =>
    [
        new("add acl", "add acl [@<ver>] <acl> <pattern>        : add an acl entry", CliLevel.Operator, AddAsync) { Pipelined = true },
        new("clear acl", "clear acl [@<ver>] <acl>                : clear the contents of this acl", CliLevel.Operator, ClearAsync),
        new("commit acl", "commit acl @<ver> <acl>                 : commit the ACL at this version", CliLevel.Operator, CommitAsync),
        new("del acl", "del acl <acl> [<key>|#<ref>]            : delete acl entries matching <key>", CliLevel.Operator, DeleteAsync),
        new("get acl", "get acl <acl> <value>                   : report the patterns matching a sample for an ACL", CliLevel.User, Get),
        new("prepare acl", "prepare acl <acl>                       : prepare a new version for atomic ACL replacement", CliLevel.Operator, Prepare),
        new("show acl", "show acl [@<ver>] <acl>]                : report available acls or dump an acl's contents", CliLevel.User, ShowAsync),
    ];

    private async ValueTask ShowAsync(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0)
        {
            context.Reply(Replies.PatternListHeader);
            foreach (var each in state.Lists)
            {
                context.Reply(Replies.ListDescription(each.Id, each.Name, (uint)each.CurrentVersion, (uint)each.NextVersion, each.Count + each.PendingCount));
            }

            return;
        }

        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (PatternRef.Resolve(state, args[at], preferMap: false) is not { List: { } list })
        {
            context.Reply(Replies.UnknownAcl);
            return;
        }

        if (version is null || version == (uint)list.CurrentVersion)
        {
            // A snapshot: changes made while it streams out do not disturb it.
            var now = time.GetUtcNow().UtcTicks;
            foreach (var entry in list.Entries)
            {
                if (entry.ExpiresTicks > now)
                {
                    context.Output.WriteEntry(entry.Id, entry.Pattern, null);
                    if (context.Output.ShouldFlush)
                    {
                        await context.Output.FlushAsync();
                    }
                }
            }
        }
        else if (list.TryGetVersion((int)version.Value, out var pending))
        {
            foreach (var entry in pending)
            {
                context.Output.WriteEntry(entry.Id, entry.Pattern, null);
                await context.Output.MaybeFlushAsync();
            }
        }
    }

    private ValueTask Get(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0 || args[3].Length == 0)
        {
            context.Reply(Replies.MissingAclOrKey);
        }
        else if (PatternRef.Resolve(state, args[2], preferMap: false) is not { } target)
        {
            context.Reply(Replies.UnknownAcl);
        }
        else if (target.List is { } list)
        {
            var match = AddressSyntax.TryParseAddress(args[3], out var address) ? AclLookup.Find(list.Entries, address, time.GetUtcNow()) : null;
            context.Reply(match is null ? Replies.IpNoMatch : Replies.IpMatch(match.Pattern));
        }
        else
        {
            var kat = MapCommands.Lookup(target.Map!, args[3], time.GetUtcNow());
            context.Reply(kat is null ? Replies.StrNoMatch : Replies.StrMatch(kat.DisplayKey));
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask AddAsync(CliContext context, CliArgs args)
    {
        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (args[at].Length == 0 || args[at + 1].Length == 0)
        {
            context.Reply(Replies.AddAclUsage);
            return;
        }

        switch (PatternRef.Resolve(state, args[at], preferMap: false))
        {
            case null:
                context.Reply(Replies.UnknownAcl);
                return;
            case { Map: not null }:
                context.Reply(Replies.AclSharedWithMap);
                return;
            case { List: { } list }:
                var kind = Versions.Classify(version ?? (uint)list.CurrentVersion, list.CurrentVersion, list.NextVersion);
                if (kind == VersionKind.Future)
                {
                    context.Reply(Replies.AclVersionInFuture);
                }
                else if (!await AddPatternAsync(context, list, args[at + 1], kind == VersionKind.Current ? null : (int)version!.Value))
                {
                    context.Reply(Replies.InvalidAddress(args[at + 1]));
                }

                return;
        }
    }

    /// <summary>Adds a pattern to the list (version null) or to a prepared version; false when it is not an address.</summary>
    internal async ValueTask<bool> AddPatternAsync(CliContext context, AccessList list, string pattern, int? version)
    {
        if (!AddressSyntax.TryParsePattern(pattern, out var parsed))
        {
            return false;
        }

        if (version is null)
        {
            // Recorded while the next commands are read; the reply waits for it (see CliContext.Defer).
            context.Defer(DiscardResult(writer.AddEntryAsync(list, pattern, parsed, null, context.Actor, context.Aborted)));
        }
        else
        {
            // A version older than the current one can never become visible: accepted and dropped, as HAProxy does.
            var expires = list.DefaultTtl is { } ttl ? time.GetUtcNow() + ttl : (DateTimeOffset?)null;
            list.AddToVersion(version.Value, new ListEntry(state.NextId(), pattern, parsed, expires, EntrySource.Runtime));
        }

        return true;
    }

    private static async ValueTask DiscardResult<T>(ValueTask<T> write) => await write;

    private async ValueTask DeleteAsync(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0 || args[3].Length == 0)
        {
            context.Reply(Replies.DelAclUsage);
            return;
        }

        if (PatternRef.Resolve(state, args[2], preferMap: false) is not { List: { } list })
        {
            // HAProxy says "map" here, for ACLs too.
            context.Reply(Replies.UnknownMap);
            return;
        }

        var reference = CliNumbers.TryParseReference(args[3], out var id);
        if (reference == false)
        {
            context.Reply(Replies.MalformedReference);
            return;
        }

        var removed = reference == true
            ? await writer.RemoveEntryAsync(list, id, context.Actor, context.Aborted)
            : await writer.RemovePatternAsync(list, args[3], context.Actor, context.Aborted) > 0;
        if (!removed)
        {
            context.Reply(Replies.KeyNotFound);
        }
    }

    private async ValueTask ClearAsync(CliContext context, CliArgs args)
    {
        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (args[at].Length == 0)
        {
            context.Reply(Replies.MissingAcl);
        }
        else if (PatternRef.Resolve(state, args[at], preferMap: false) is not { List: { } list })
        {
            context.Reply(Replies.UnknownAcl);
        }
        else if (version is null || version == (uint)list.CurrentVersion)
        {
            await writer.ClearListAsync(list, context.Actor, context.Aborted);
        }
        else
        {
            list.ClearVersion((int)version.Value);
        }
    }

    private ValueTask Prepare(CliContext context, CliArgs args)
    {
        context.Reply(PatternRef.Resolve(state, args[2], preferMap: false) is { List: { } list }
            ? Replies.NewVersion((uint)list.Prepare())
            : Replies.UnknownAcl);
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
            context.Reply(Replies.MissingAcl);
        }
        else if (PatternRef.Resolve(state, args[3], preferMap: false) is not { List: { } list })
        {
            context.Reply(Replies.UnknownAcl);
        }
        else
        {
            var version = CliNumbers.ParseVersion(args[2]);
            if (!Versions.CanCommit(version, list.CurrentVersion, list.NextVersion) ||
                !await writer.CommitListVersionAsync(list, (int)version, context.Actor, context.Aborted))
            {
                context.Reply(Replies.VersionOutOfRange);
            }
        }
    }
}

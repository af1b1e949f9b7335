using Gateway.Access;
using Gateway.Access.Tokens;
using Gateway.Configuration;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// The <c>map</c> family: each list's token map, where KATs are issued (<c>add map #501 &lt;token&gt; &lt;value&gt;</c>)
/// and listed. A key is a token, single use, redeemable for the configured lifetime; the value is free text in which
/// <c>user=</c>, <c>ip=</c> and <c>ttl=</c> are understood. Token contents are secrets: reading them takes operator level.
/// </summary>
internal sealed partial class MapCommands(AccessState state, AccessWriter writer, AclCommands acls, GatewayConfigManager config, TimeProvider time) : ICliCommandFamily
{
    public IEnumerable<CliCommand> Commands =>
    [
        new("add map", "add map [@<ver>] <map> <key> <val>      : add a map entry (payload supported instead of key/val)", CliLevel.Operator, AddAsync) { Pipelined = true },
        new("clear map", "clear map [@<ver>] <map>                : clear the contents of this map", CliLevel.Operator, ClearAsync),
        new("commit map", "commit map @<ver> <map>                 : commit the map at this version", CliLevel.Operator, CommitAsync),
        new("del map", "del map <map> [<key>|#<ref>]            : delete map entries matching <key>", CliLevel.Operator, DeleteAsync),
        new("get map", "get map <acl> <value>                   : report the keys and values matching a sample for a map", CliLevel.User, Get),
        new("prepare map", "prepare map <acl>                       : prepare a new version for atomic map replacement", CliLevel.Operator, Prepare),
        new("set map", "set map <map> [<key>|#<ref>] <value>    : modify a map entry", CliLevel.Operator, SetAsync),
        new("show map", "show map [@ver] [map]                   : report available maps or dump a map's contents", CliLevel.User, ShowAsync),
    ];

    /// <summary>The live token a key names, or null.</summary>
    public static Kat? Lookup(TokenMap map, string key, DateTimeOffset now) =>
        map.TryGet(TokenHash.Of(key), out var kat) && kat.ExpiresAt > now ? kat : null;

    private async ValueTask ShowAsync(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0)
        {
            context.Reply(Replies.PatternListHeader);
            foreach (var each in state.Maps.Where(m => m.Id is not null))
            {
                context.Reply(Replies.MapDescription(each.Id!.Value, each.Name, (uint)each.CurrentVersion, (uint)each.NextVersion, each.Count + each.PendingCount));
            }

            return;
        }

        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (PatternRef.Resolve(state, args[at], preferMap: true) is not { Map: { } map })
        {
            context.Reply(Replies.UnknownMap);
            return;
        }

        if (context.Level < CliLevel.Operator)
        {
            context.Reply(Replies.PermissionDenied);
            return;
        }

        IEnumerable<Kat> tokens;
        if (version is null || version == (uint)map.CurrentVersion)
        {
            var now = time.GetUtcNow();
            tokens = map.Tokens.Where(k => k.ExpiresAt > now);
        }
        else
        {
            map.TryGetVersion((int)version.Value, out var pending);
            tokens = pending;
        }

        foreach (var kat in tokens)
        {
            context.Output.WriteEntry(kat.Id, kat.DisplayKey, kat.Value);
            await context.Output.MaybeFlushAsync();
        }
    }

    private ValueTask Get(CliContext context, CliArgs args)
    {
        if (args[2].Length == 0 || args[3].Length == 0)
        {
            context.Reply(Replies.MissingMapOrKey);
        }
        else if (PatternRef.Resolve(state, args[2], preferMap: true) is not { } target)
        {
            context.Reply(Replies.UnknownMap);
        }
        else if (target.List is { } list)
        {
            var match = AddressSyntax.TryParseAddress(args[3], out var address) ? AclLookup.Find(list.Entries, address, time.GetUtcNow()) : null;
            context.Reply(match is null ? Replies.IpNotFound : Replies.IpFound(match.Pattern));
        }
        else if (context.Level < CliLevel.Operator)
        {
            context.Reply(Replies.PermissionDenied);
        }
        else
        {
            var kat = Lookup(target.Map!, args[3], time.GetUtcNow());
            context.Reply(kat is null ? Replies.StrNotFound : Replies.StrFound(kat.DisplayKey, kat.Value));
        }

        return ValueTask.CompletedTask;
    }

    private async ValueTask AddAsync(CliContext context, CliArgs args)
    {
        var (version, at) = args[2].StartsWith('@') ? ((uint?)CliNumbers.ParseVersion(args[2]), 3) : (null, 2);
        if (args.Payload is null ? args[at].Length == 0 || args[at + 1].Length == 0 || args[at + 2].Length == 0 : args[at].Length == 0)
        {
            context.Reply(Replies.AddMapUsage);
            return;
        }

        if (PatternRef.Resolve(state, args[at], preferMap: true) is not { } target)
        {
            context.Reply(Replies.UnknownMap);
            return;
        }

        var (current, next) = target.Map is { } m ? (m.CurrentVersion, m.NextVersion) : (target.List!.CurrentVersion, target.List.NextVersion);
        var kind = Versions.Classify(version ?? (uint)current, current, next);
        if (kind == VersionKind.Future)
        {
            context.Reply(Replies.MapVersionInFuture);
            return;
        }

        var pending = kind == VersionKind.Current ? (int?)null : (int)version!.Value;
        if (args.Payload is null)
        {
            await AddOneAsync(context, target, args[at + 1], args[at + 2], pending);
            return;
        }

        if (args.Payload.Length == 0)
        {
            // An empty payload: HAProxy reads a stray newline as the key; so do we, for the same reply.
            context.Reply(Replies.MissingValueForKey("\n"));
            return;
        }

        foreach (var (key, value) in ParsePayload(args.Payload))
        {
            if (value is null)
            {
                context.Reply(Replies.MissingValueForKey(key));
                return;
            }

            if (!await AddOneAsync(context, target, key, value, pending))
            {
                return;
            }
        }
    }

    private async ValueTask<bool> AddOneAsync(CliContext context, PatternRef target, string key, string value, int? version)
    {
        if (target.List is { } list)
        {
            // A list has no values: its entry is the key, as when HAProxy's "add map" names an ACL.
            if (!await acls.AddPatternAsync(context, list, key, version))
            {
                context.Reply(Replies.InvalidAddress(key));
                return false;
            }

            return true;
        }

        var map = target.Map!;
        var lifetime = config.Current.Access.TokenLifetime;
        if (version is null)
        {
            context.Defer(IssueAsync(map, key, value, lifetime, context));
        }
        else
        {
            map.AddToVersion(version.Value, writer.NewToken(map, key, value, lifetime).ToKat());
        }

        return true;
    }

    private async ValueTask IssueAsync(TokenMap map, string key, string value, TimeSpan lifetime, CliContext context) =>
        await writer.IssueTokenAsync(map, key, value, lifetime, context.Actor, context.Aborted);

    /// <summary>Payload lines, read as HAProxy reads them: the key ends at the first space or tab, the value at the newline.</summary>
    private static IEnumerable<(string Key, string? Value)> ParsePayload(string payload)
    {
        var at = 0;
        while (at < payload.Length)
        {
            var keyLength = payload.AsSpan(at).IndexOfAny(' ', '\t');
            if (keyLength < 0)
            {
                yield return (payload[at..], null);
                yield break;
            }

            var key = payload.Substring(at, keyLength);
            at += keyLength + 1;
            while (at < payload.Length && payload[at] is ' ' or '\t')
            {
                at++;
            }

            var valueLength = payload.AsSpan(at).IndexOf('\n');
            var value = valueLength < 0 ? payload[at..] : payload.Substring(at, valueLength);
            at += valueLength < 0 ? payload.Length - at : valueLength + 1;
            yield return (key, value);
        }
    }
}

using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Serialization;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Gateway.Access.Tokens;

namespace Gateway.Access;

/// <summary>
/// One change to the access state, as a store records it before it is acknowledged and as it is replayed after a
/// restart or received from another replica. Applying a change is deterministic and never fails: a change that names
/// a list no longer configured is ignored. Changes carry no secrets: tokens appear only as hashes.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(EntryAdded), "entry-added")]
[JsonDerivedType(typeof(EntriesRemoved), "entries-removed")]
[JsonDerivedType(typeof(ListCleared), "list-cleared")]
[JsonDerivedType(typeof(ListReplaced), "list-replaced")]
[JsonDerivedType(typeof(TokenIssued), "token-issued")]
[JsonDerivedType(typeof(TokenValueSet), "token-value-set")]
[JsonDerivedType(typeof(TokensRemoved), "tokens-removed")]
[JsonDerivedType(typeof(MapReplaced), "map-replaced")]
[JsonDerivedType(typeof(TokenRedeemed), "token-redeemed")]
[JsonDerivedType(typeof(SessionCreated), "session-created")]
[JsonDerivedType(typeof(SessionsRevoked), "sessions-revoked")]
internal abstract record AccessChange
{
    /// <summary>Who made the change: <c>socket:admin.sock</c>, <c>api:ops-key</c>, <c>portal:alice</c>...</summary>
    public string Actor { get; init; } = string.Empty;

    public DateTimeOffset At { get; init; }

    public abstract void Apply(AccessState state);

    /// <summary>What changed, for the audit log: never a token.</summary>
    public abstract string Describe();
}

internal sealed record EntryAdded(string List, long Id, string Pattern, DateTimeOffset? ExpiresAt, string? Owner = null) : AccessChange
{
    public override void Apply(AccessState state)
    {
        state.ObserveId(Id);
        if (state.TryGetList(List, out var list) && IpPattern.TryParse(Pattern, out var parsed))
        {
            list.Add(new ListEntry(Id, Pattern, parsed, ExpiresAt, EntrySource.Runtime, Owner));
        }
    }

    public override string Describe() =>
        $"add {Pattern} to list {List}{(Owner is null ? string.Empty : $" for {Owner}")}{(ExpiresAt is { } e ? $" until {e:O}" : string.Empty)}";
}

/// <summary>Removes every entry with this exact pattern, or the one entry with this id.</summary>
internal sealed record EntriesRemoved(string List, string? Pattern, long? Id) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (!state.TryGetList(List, out var list))
        {
            return;
        }

        if (Id is { } id)
        {
            list.RemoveEntry(id);
        }
        else if (Pattern is not null)
        {
            list.RemovePattern(Pattern);
        }
    }

    public override string Describe() => $"remove {(Id is { } id ? $"entry 0x{id:x}" : Pattern)} from list {List}";
}

internal sealed record ListCleared(string List) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (state.TryGetList(List, out var list))
        {
            list.Clear();
        }
    }

    public override string Describe() => $"clear list {List}";
}

internal sealed record EntryRecord(long Id, string Pattern, DateTimeOffset? ExpiresAt, string? Owner = null);

/// <summary>The whole list replaced at once (a committed version).</summary>
internal sealed record ListReplaced(string List, ImmutableArray<EntryRecord> Entries) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (!state.TryGetList(List, out var list))
        {
            return;
        }

        var entries = new List<ListEntry>();
        foreach (var entry in Entries)
        {
            state.ObserveId(entry.Id);
            if (IpPattern.TryParse(entry.Pattern, out var parsed))
            {
                entries.Add(new ListEntry(entry.Id, entry.Pattern, parsed, entry.ExpiresAt, EntrySource.Runtime, entry.Owner));
            }
        }

        list.Replace(entries);
    }

    public override string Describe() => $"replace list {List} with {Entries.Length} entries";
}

/// <summary>A KAT issued. <see cref="Token"/> is the token itself, kept in memory for <c>show map</c>, never stored.</summary>
internal sealed record TokenIssued(string List, long Id, string Hash, string Value, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt) : AccessChange
{
    [JsonIgnore]
    public string? Token { get; init; }

    public Kat ToKat()
    {
        TokenHash.TryParse(Hash, out var hash);
        var (user, ip, _) = Kat.ParseValue(Value);
        return new Kat(Id, hash, Token ?? "sha256:" + Hash, Value, user, ip, IssuedAt, ExpiresAt);
    }

    public override void Apply(AccessState state)
    {
        state.ObserveId(Id);
        if (state.TryGetMap(List, out var map))
        {
            map.Add(ToKat());
        }
    }

    public override string Describe() => $"issue token {Hash[..12]}… for list {List} until {ExpiresAt:O}";
}

internal sealed record TokenValueSet(string List, string Hash, string Value) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (state.TryGetMap(List, out var map) && TokenHash.TryParse(Hash, out var hash) && map.TryGet(hash, out var kat))
        {
            var (user, ip, _) = Kat.ParseValue(Value);
            map.Add(kat with { Value = Value, User = user, BoundIp = ip });
        }
    }

    public override string Describe() => $"set the value of token {Hash[..12]}… in list {List}";
}

/// <summary>One token removed by hash, or every token of the list when <see cref="Hash"/> is null.</summary>
internal sealed record TokensRemoved(string List, string? Hash) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (!state.TryGetMap(List, out var map))
        {
            return;
        }

        if (Hash is null)
        {
            map.Clear();
        }
        else if (TokenHash.TryParse(Hash, out var hash))
        {
            map.Remove(hash);
        }
    }

    public override string Describe() => Hash is null ? $"clear the tokens of list {List}" : $"remove token {Hash[..12]}… from list {List}";
}

internal sealed record MapReplaced(string List, ImmutableArray<TokenIssued> Tokens) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (!state.TryGetMap(List, out var map))
        {
            return;
        }

        // Content only: the version numbers are the writer's business (MarkCommitted), as for lists.
        foreach (var token in Tokens)
        {
            state.ObserveId(token.Id);
        }

        map.Replace(Tokens.Select(t => t.ToKat()));
    }

    public override string Describe() => $"replace the tokens of list {List} with {Tokens.Length} tokens";
}

/// <summary>A token used up (recorded so a replay does not bring it back).</summary>
internal sealed record TokenRedeemed(string List, string Hash) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (state.TryGetMap(List, out var map) && TokenHash.TryParse(Hash, out var hash))
        {
            map.Remove(hash);
        }
    }

    public override string Describe() => $"redeem token {Hash[..12]}… of list {List}";
}

internal sealed record SessionCreated(string Id, string List, string? User, string BoundIp, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, TimeSpan IdleTimeout) : AccessChange
{
    public Session ToSession()
    {
        SessionId.TryParse(Id, out var id);
        return new Session(id, List, User, IpKey.From(IPAddress.Parse(BoundIp)), CreatedAt, ExpiresAt, IdleTimeout);
    }

    public override void Apply(AccessState state) => state.Sessions.Add(ToSession());

    public override string Describe() => $"open session {Id[..8]}… for {User ?? "(no user)"} on list {List} from {BoundIp}";
}

/// <summary>Ends one session, or every session of a user and/or list (all given fields must match).</summary>
internal sealed record SessionsRevoked(string? Id, string? User, string? List) : AccessChange
{
    public override void Apply(AccessState state)
    {
        if (Id is not null)
        {
            if (SessionId.TryParse(Id, out var id))
            {
                state.Sessions.Remove(id);
            }

            return;
        }

        state.Sessions.RemoveWhere(s =>
            (User is null || string.Equals(s.User, User, StringComparison.Ordinal)) &&
            (List is null || string.Equals(s.ListName, List, StringComparison.OrdinalIgnoreCase)));
    }

    public override string Describe() =>
        Id is not null ? $"revoke session {Id[..Math.Min(8, Id.Length)]}…" : $"revoke the sessions of {(User is null ? "every user" : $"user {User}")}{(List is null ? string.Empty : $" on list {List}")}";
}

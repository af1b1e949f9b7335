using System.Collections.Immutable;
using System.Net;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Gateway.Access.Tokens;

namespace Gateway.State;

/// <summary>
/// Everything the access state holds that configuration does not: runtime list entries, unredeemed tokens and
/// sessions, as of change <see cref="Seq"/>. Static entries are not included: they come from the configuration.
/// </summary>
internal sealed record AccessSnapshot(
    int Version,
    long Seq,
    long NextId,
    DateTimeOffset SavedAt,
    ImmutableDictionary<string, ImmutableArray<EntryRecord>> Lists,
    ImmutableDictionary<string, ImmutableArray<TokenRecord>> Tokens,
    ImmutableArray<SessionRecord> Sessions)
{
    public const int CurrentVersion = 1;

    /// <summary>How many records it holds (entries, tokens, sessions): what writing it costs.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int Size => Lists.Values.Sum(l => l.Length) + Tokens.Values.Sum(t => t.Length) + Sessions.Length;

    /// <summary>Takes the state as it is now. Cheap: list contents are immutable snapshots already.</summary>
    public static AccessSnapshot Capture(AccessState state, long seq, DateTimeOffset now) => new(
        CurrentVersion,
        seq,
        state.NextId(),
        now,
        state.Lists.ToImmutableDictionary(
            l => l.Name,
            l => l.Entries.Where(e => e.Source == EntrySource.Runtime).Select(e => new EntryRecord(e.Id, e.Pattern, e.ExpiresAt, e.Owner)).ToImmutableArray(),
            StringComparer.OrdinalIgnoreCase),
        state.Maps.ToImmutableDictionary(
            m => m.ListName,
            m => m.Tokens.Select(TokenRecord.From).ToImmutableArray(),
            StringComparer.OrdinalIgnoreCase),
        [.. state.Sessions.All.Select(SessionRecord.From)]);

    /// <summary>Puts the snapshot into a freshly configured state (static entries already there).</summary>
    public void Restore(AccessState state, DateTimeOffset now)
    {
        state.ObserveId(NextId);
        foreach (var (name, entries) in Lists)
        {
            if (state.TryGetList(name, out var list))
            {
                foreach (var entry in entries)
                {
                    if (IpPattern.TryParse(entry.Pattern, out var parsed))
                    {
                        list.Add(new ListEntry(entry.Id, entry.Pattern, parsed, entry.ExpiresAt, EntrySource.Runtime, entry.Owner));
                    }
                }
            }
        }

        foreach (var (name, tokens) in Tokens)
        {
            if (state.TryGetMap(name, out var map))
            {
                foreach (var token in tokens)
                {
                    map.Add(token.ToKat());
                }
            }
        }

        foreach (var record in Sessions)
        {
            var session = record.ToSession();
            // Activity after the last snapshot was not recorded; a restart must not end sessions for idleness.
            session.RestoreLastSeen(now.UtcTicks);
            state.Sessions.Add(session);
        }
    }
}

internal sealed record TokenRecord(long Id, string Hash, string Value, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public static TokenRecord From(Kat kat) => new(kat.Id, kat.Hash.ToString(), kat.Value, kat.IssuedAt, kat.ExpiresAt);

    public Kat ToKat()
    {
        TokenHash.TryParse(Hash, out var hash);
        var (user, ip, _) = Kat.ParseValue(Value);
        return new Kat(Id, hash, "sha256:" + Hash, Value, user, ip, IssuedAt, ExpiresAt);
    }
}

internal sealed record SessionRecord(string Id, string List, string? User, string BoundIp, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, TimeSpan IdleTimeout)
{
    public static SessionRecord From(Session s) =>
        new(s.Id.ToString(), s.ListName, s.User, s.BoundIp.ToString(), s.CreatedAt, s.ExpiresAt, s.IdleTimeout);

    public Session ToSession()
    {
        SessionId.TryParse(Id, out var id);
        return new Session(id, List, User, IpKey.From(IPAddress.Parse(BoundIp)), CreatedAt, ExpiresAt, IdleTimeout);
    }
}

using System.Buffers.Text;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Gateway.Access.Tokens;
using Gateway.State;

namespace Gateway.Access;

/// <summary>
/// Every change to the access state goes through here, whoever asks (runtime API socket, admin API, knock portal,
/// KAT redemption): it builds the <see cref="AccessChange"/>, hands it to the store (durable before acknowledged),
/// and writes the audit log line naming the actor. Inputs are validated by the caller, which knows how to word errors.
/// </summary>
internal sealed partial class AccessWriter(AccessState state, IAccessStore store, TimeProvider time, ILogger<AccessWriter> logger)
{
    public AccessState State => state;

    /// <summary>Adds an entry; <paramref name="owner"/> names the user it is held for (see <see cref="ListEntry"/>).</summary>
    public async ValueTask<ListEntry> AddEntryAsync(
        AccessList list, string pattern, IpPattern parsed, TimeSpan? ttl, string actor, CancellationToken cancellationToken = default, string? owner = null)
    {
        var now = time.GetUtcNow();
        var lifetime = ttl ?? list.DefaultTtl;
        var change = new EntryAdded(list.Name, state.NextId(), pattern, lifetime is { } l ? now + l : null, owner) { Actor = actor, At = now };
        await CommitAsync(change, cancellationToken);
        return new ListEntry(change.Id, pattern, parsed, change.ExpiresAt, EntrySource.Runtime, owner);
    }

    /// <summary>Removes every entry with exactly this pattern; returns how many there were.</summary>
    public async ValueTask<int> RemovePatternAsync(AccessList list, string pattern, string actor, CancellationToken cancellationToken = default)
    {
        var count = list.Entries.Count(e => string.Equals(e.Pattern, pattern, StringComparison.Ordinal));
        if (count > 0)
        {
            await CommitAsync(new EntriesRemoved(list.Name, pattern, null) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);
        }

        return count;
    }

    public async ValueTask<bool> RemoveEntryAsync(AccessList list, long id, string actor, CancellationToken cancellationToken = default)
    {
        if (!list.Entries.Any(e => e.Id == id))
        {
            return false;
        }

        await CommitAsync(new EntriesRemoved(list.Name, null, id) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);
        return true;
    }

    public ValueTask ClearListAsync(AccessList list, string actor, CancellationToken cancellationToken = default) =>
        CommitAsync(new ListCleared(list.Name) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);

    /// <summary>Makes a prepared version current, atomically (HAProxy's <c>commit acl</c>).</summary>
    public async ValueTask<bool> CommitListVersionAsync(AccessList list, int version, string actor, CancellationToken cancellationToken = default)
    {
        if (!list.TryGetVersion(version, out var entries))
        {
            return false;
        }

        var records = entries.Select(e => new EntryRecord(e.Id, e.Pattern, e.ExpiresAt, e.Owner)).ToImmutableArray();
        await CommitAsync(new ListReplaced(list.Name, records) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);
        list.MarkCommitted(version);
        return true;
    }

    /// <summary>Issues a KAT; a null <paramref name="token"/> generates a random one. Returns the token and what was stored.</summary>
    public async ValueTask<(string Token, Kat Kat)> IssueTokenAsync(
        TokenMap map, string? token, string value, TimeSpan lifetime, string actor, CancellationToken cancellationToken = default)
    {
        token ??= NewToken();
        var change = NewToken(map, token, value, lifetime) with { Actor = actor };
        await CommitAsync(change, cancellationToken);
        return (token, change.ToKat());
    }

    /// <summary>A token record for a prepared map version (<c>add map @N</c>), not yet applied.</summary>
    public TokenIssued NewToken(TokenMap map, string token, string value, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var (_, _, ttl) = Kat.ParseValue(value);
        return new TokenIssued(map.ListName, state.NextId(), TokenHash.Of(token).ToString(), value, now, now + (ttl ?? lifetime)) { Token = token, At = now };
    }

    public ValueTask SetTokenValueAsync(TokenMap map, TokenHash hash, string value, string actor, CancellationToken cancellationToken = default) =>
        CommitAsync(new TokenValueSet(map.ListName, hash.ToString(), value) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);

    public ValueTask RemoveTokenAsync(TokenMap map, TokenHash hash, string actor, CancellationToken cancellationToken = default) =>
        CommitAsync(new TokensRemoved(map.ListName, hash.ToString()) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);

    public ValueTask ClearTokensAsync(TokenMap map, string actor, CancellationToken cancellationToken = default) =>
        CommitAsync(new TokensRemoved(map.ListName, null) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);

    public async ValueTask<bool> CommitMapVersionAsync(TokenMap map, int version, string actor, CancellationToken cancellationToken = default)
    {
        if (!map.TryGetVersion(version, out var tokens))
        {
            return false;
        }

        var records = tokens.Select(k => new TokenIssued(map.ListName, k.Id, k.Hash.ToString(), k.Value, k.IssuedAt, k.ExpiresAt) { Token = k.DisplayKey })
            .ToImmutableArray();
        await CommitAsync(new MapReplaced(map.ListName, records) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);
        map.MarkCommitted(version);
        return true;
    }

    /// <summary>
    /// Exchanges a KAT for a session bound to <paramref name="client"/>. The token is consumed atomically; a token
    /// bound to another IP is refused without being consumed, so whoever stole it cannot burn it.
    /// </summary>
    public async ValueTask<(Session? Session, AccessReason Reason)> RedeemAsync(
        TokenMap map, ReadOnlyMemory<char> token, IPAddress client, TimeSpan sessionLifetime, TimeSpan idleTimeout, string actor,
        CancellationToken cancellationToken = default)
    {
        var hash = TokenHash.Of(token.Span);
        var clientKey = IpKey.From(client);
        if (map.TryGet(hash, out var peek) && peek.BoundIp is { } bound && bound != clientKey)
        {
            return (null, AccessReason.TokenOtherIp);
        }

        var kat = await store.TakeTokenAsync(map, hash, actor, cancellationToken);
        var now = time.GetUtcNow();
        if (kat is null)
        {
            return (null, AccessReason.TokenUnknown);
        }

        if (kat.ExpiresAt <= now)
        {
            return (null, AccessReason.TokenExpired);
        }

        var created = new SessionCreated(SessionId.New().ToString(), map.ListName, kat.User, clientKey.ToString(), now, now + sessionLifetime, idleTimeout)
        {
            Actor = actor,
            At = now,
        };
        await CommitAsync(created, cancellationToken);
        return state.Sessions.TryGet(SessionIdOf(created), out var session) ? (session, AccessReason.Allowed) : (created.ToSession(), AccessReason.Allowed);
    }

    public async ValueTask<int> RevokeSessionsAsync(SessionId? id, string? user, string? list, string actor, CancellationToken cancellationToken = default)
    {
        var count = state.Sessions.All.Count(s =>
            (id is null || s.Id == id) &&
            (user is null || string.Equals(s.User, user, StringComparison.Ordinal)) &&
            (list is null || string.Equals(s.ListName, list, StringComparison.OrdinalIgnoreCase)));
        if (count > 0)
        {
            await CommitAsync(new SessionsRevoked(id?.ToString(), id is null ? user : null, id is null ? list : null) { Actor = actor, At = time.GetUtcNow() }, cancellationToken);
        }

        return count;
    }

    private async ValueTask CommitAsync(AccessChange change, CancellationToken cancellationToken)
    {
        await store.CommitAsync(change, cancellationToken);
        Log.Audit(logger, change.Actor, change.Describe());
    }

    private static SessionId SessionIdOf(SessionCreated created) => SessionId.TryParse(created.Id, out var id) ? id : default;

    /// <summary>32 random bytes, base64url: 256 bits, safe in a URL.</summary>
    public static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AccessAudit, LogLevel.Information, "Audit: {Actor} {Change}.")]
        public static partial void Audit(ILogger logger, string actor, string change);
    }
}

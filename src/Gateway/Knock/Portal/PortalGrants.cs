using System.Net;
using Gateway.Access;
using Gateway.Access.Lists;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Knock;

/// <summary>One of a user's grants on a list: an address they allowed, until when.</summary>
internal sealed record Grant(long Id, string Address, DateTimeOffset? ExpiresAt);

/// <summary>
/// What "Allow my IP" and "Revoke" do to the access state, through <see cref="AccessWriter"/> with the actor
/// <c>portal:&lt;user&gt;</c>. Each user's grant is an entry of its own (owner = the user), so several users may
/// hold the same address (an office NAT): one user's revoke or expiry removes only their entry, and the address
/// leaves the list when no other user holds it; that user's sessions on the list end at once.
/// </summary>
internal sealed class PortalGrants(AccessWriter writer, TimeProvider time)
{
    /// <summary>The user's live grants on a list, newest first.</summary>
    public IReadOnlyList<Grant> Of(string user, AccessList list)
    {
        var now = time.GetUtcNow();
        return [.. list.Entries
            .Where(e => e.Source == EntrySource.Runtime && string.Equals(e.Owner, user, StringComparison.Ordinal) && e.IsLiveAt(now))
            .OrderByDescending(e => e.ExpiresTicks)
            .Select(e => new Grant(e.Id, e.Pattern, e.ExpiresAt))];
    }

    /// <summary>
    /// Puts <paramref name="client"/> on the list for the user (replacing their older grant for the same address),
    /// with the list's time-to-live capped by <paramref name="maxTtl"/>; returns the new grant.
    /// </summary>
    public async Task<Grant> AllowAsync(PortalUser user, AccessList list, IPAddress client, TimeSpan maxTtl, CancellationToken cancellationToken)
    {
        var address = ClientAddressFeature.Normalize(client).ToString();
        if (!IpPattern.TryParse(address, out var parsed))
        {
            throw new InvalidOperationException($"'{address}' is not an address.");
        }

        var ttl = list.DefaultTtl is { } listTtl && listTtl < maxTtl ? listTtl : maxTtl;
        var older = list.Entries.Where(e => e.Source == EntrySource.Runtime && string.Equals(e.Owner, user.Name, StringComparison.Ordinal) &&
            string.Equals(e.Pattern, address, StringComparison.Ordinal)).Select(e => e.Id).ToList();

        // Add first, then drop the older grant: the address never leaves the list in between.
        var entry = await writer.AddEntryAsync(list, address, parsed, ttl, Actor(user), cancellationToken, owner: user.Name);
        foreach (var id in older)
        {
            await writer.RemoveEntryAsync(list, id, Actor(user), cancellationToken);
        }

        return new Grant(entry.Id, address, entry.ExpiresAt);
    }

    /// <summary>
    /// A single-use KAT bound to the user and <paramref name="client"/>, and where to redeem it: the application's
    /// URL (or the return URL, when it is on the application's own host) with the token added.
    /// </summary>
    public async Task<string> IssueRedemptionUrlAsync(
        PortalUser user, AccessList list, IPAddress client, Uri target, AccessConfig access, CancellationToken cancellationToken)
    {
        if (!writer.State.TryGetMap(list.Name, out var map))
        {
            return target.ToString();
        }

        var value = $"user={user.Name},ip={ClientAddressFeature.Normalize(client)}";
        var (token, _) = await writer.IssueTokenAsync(map, null, value, access.TokenLifetime, Actor(user), cancellationToken);
        return QueryHelpers.AddQueryString(target.ToString(), access.TokenQueryParameter, token);
    }

    /// <summary>Removes every grant of the user on the list and ends their sessions on it; returns how many grants went.</summary>
    public async Task<int> RevokeAsync(PortalUser user, AccessList list, CancellationToken cancellationToken)
    {
        var mine = list.Entries.Where(e => e.Source == EntrySource.Runtime && string.Equals(e.Owner, user.Name, StringComparison.Ordinal)).Select(e => e.Id).ToList();
        var removed = 0;
        foreach (var id in mine)
        {
            removed += await writer.RemoveEntryAsync(list, id, Actor(user), cancellationToken) ? 1 : 0;
        }

        await writer.RevokeSessionsAsync(null, user.Name, list.Name, Actor(user), cancellationToken);
        return removed;
    }

    private static string Actor(PortalUser user) => "portal:" + user.Name;
}

namespace Gateway.Access.Lists;

/// <summary>Where an entry came from: the config file (replaced on reload) or a runtime writer (kept).</summary>
internal enum EntrySource
{
    Config,
    Runtime,
}

/// <summary>
/// One entry of an access list, as typed (<see cref="Pattern"/> is shown verbatim, like HAProxy's <c>show acl</c>),
/// with its parsed form, an optional expiry, and the user it was added for (the portal's grants; null otherwise).
/// Several users may each hold an entry for one shared IP: removing one user's entry leaves the others in force.
/// </summary>
internal sealed record ListEntry(long Id, string Pattern, IpPattern Parsed, DateTimeOffset? ExpiresAt, EntrySource Source, string? Owner = null)
{
    public long ExpiresTicks => ExpiresAt?.UtcTicks ?? long.MaxValue;

    public bool IsLiveAt(DateTimeOffset now) => ExpiresAt is not { } expires || expires > now;
}

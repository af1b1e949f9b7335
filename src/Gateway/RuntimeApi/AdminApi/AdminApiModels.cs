namespace Gateway.RuntimeApi.AdminApi;

/// <summary>Every admin API error body.</summary>
internal sealed record ApiError(string Error);

internal sealed record ListSummary(string Name, int Id, int? TokenMapId, int Entries, int Tokens, string? DefaultTtl);

internal sealed record ListDetail(string Name, int Id, int? TokenMapId, string? DefaultTtl, IReadOnlyList<EntryView> Entries);

/// <summary>An allowlist entry; <see cref="Id"/> is the reference the runtime API shows (<c>0x...</c>).</summary>
internal sealed record EntryView(string Id, string Pattern, DateTimeOffset? ExpiresAt, string Source);

/// <summary>Adds an address or CIDR prefix; <see cref="Ttl"/> (<c>90s</c>, <c>5m</c>, <c>12h</c>) overrides the list's default.</summary>
internal sealed record AddEntryRequest(string? Pattern, string? Ttl);

internal sealed record RemovedCount(int Removed);

/// <summary>
/// Issues a KAT for the list. <see cref="User"/> and <see cref="Ip"/> (the only address that may redeem it) are optional;
/// <see cref="Ttl"/> overrides the configured token lifetime; <see cref="Url"/> is the protected URL the user should open
/// (its host must be one the gateway serves); without it the first route protecting the list is used.
/// </summary>
internal sealed record IssueTokenRequest(string? User, string? Ip, string? Ttl, string? Url);

internal sealed record IssuedToken(string Id, string Token, string? RedemptionUrl, DateTimeOffset ExpiresAt);

internal sealed record TokenView(string Id, string? User, string? Ip, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

internal sealed record SessionView(string Id, string List, string? User, string BoundIp, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset LastSeen);

internal sealed record RevokedCount(int Revoked);

internal sealed record RouteView(string Id, IReadOnlyList<string> Hosts, string Path, IReadOnlyList<string> Methods, IReadOnlyList<string> Listeners, string Cluster, string Policy, string? List);

internal sealed record ClusterView(string Id, string LoadBalancing, bool HealthChecked, IReadOnlyList<DestinationView> Destinations);

/// <summary>A destination: its address, YARP's active and passive health, the administrative state, and whether it takes traffic.</summary>
internal sealed record DestinationView(string Name, string Address, string ActiveHealth, string PassiveHealth, string State, bool Available);

/// <summary><c>ready</c>, <c>drain</c> or <c>maint</c>, as HAProxy's <c>set server ... state</c>.</summary>
internal sealed record SetStateRequest(string? State);

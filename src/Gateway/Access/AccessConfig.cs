using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Gateway.Access.Lists;

namespace Gateway.Access;

/// <summary>The compiled <c>Gateway:Access</c> section and every route's policy, for one configuration revision.</summary>
internal sealed record AccessConfig
{
    public static readonly AccessConfig Empty = new()
    {
        TrustedProxies = [],
        Lists = [],
        RoutePolicies = FrozenDictionary<string, RoutePolicy>.Empty,
        ReturnHosts = [],
    };

    public required ImmutableArray<IPNetwork> TrustedProxies { get; init; }

    public ForwardedHeaderMode ForwardedHeader { get; init; } = ForwardedHeaderMode.XForwardedFor;

    public required ImmutableArray<ListDefinition> Lists { get; init; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromSeconds(60);

    public string TokenQueryParameter { get; init; } = "kat";

    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);

    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromHours(1);

    public string CookieName { get; init; } = "gw_session";

    /// <summary>Host patterns a return URL may point to.</summary>
    public required ImmutableArray<string> ReturnHosts { get; init; }

    public Uri? PortalUrl { get; init; }

    /// <summary>Policy by route id; routes without one are open (<c>none</c>).</summary>
    public required FrozenDictionary<string, RoutePolicy> RoutePolicies { get; init; }
}

internal enum ForwardedHeaderMode
{
    XForwardedFor,
    Forwarded,
    Both,
}

/// <summary>A configured access list.</summary>
internal sealed record ListDefinition(string Name, int Id, int? TokenMapId, ImmutableArray<(string Pattern, IpPattern Parsed)> Entries, TimeSpan? DefaultTtl)
{
    /// <summary>Groups whose members may allow themselves on the list in the knock portal (<c>*</c>: everyone signed in).</summary>
    public ImmutableArray<string> Groups { get; init; } = [];
}

/// <summary>What a route requires. IP and KAT checks are flags so that <c>ip+kat</c> is both.</summary>
[Flags]
internal enum PolicyMode
{
    None = 0,
    Ip = 1,
    Kat = 2,
    IpAndKat = Ip | Kat,
}

internal enum RejectKind
{
    Deny,
    Redirect,
    Fallback,
}

/// <summary>What a rejected request of a route gets.</summary>
internal sealed record RejectAction(RejectKind Kind, int Status, byte[]? Page, Uri? Url, string? Cluster)
{
    public static readonly RejectAction Default = new(RejectKind.Deny, StatusCodes.Status403Forbidden, null, null, null);
}

/// <summary>A route's compiled policy, with what the hot path needs precomputed (cookie names, decisions).</summary>
internal sealed record RoutePolicy(string RouteId, PolicyMode Mode, string ListName, RejectAction Reject, string CookiePrefix)
{
    private readonly AccessDecision[] _decisions = Enum.GetValues<AccessReason>()
        .Select(reason => new AccessDecision(Describe(Mode), ListName, reason)).ToArray();

    public string CookieName { get; } = Sessions.SessionCookies.Name(CookiePrefix, ListName, https: false);

    public string SecureCookieName { get; } = Sessions.SessionCookies.Name(CookiePrefix, ListName, https: true);

    public AccessDecision Decision(AccessReason reason) => _decisions[(int)reason];

    public static string Describe(PolicyMode mode) => mode switch
    {
        PolicyMode.Ip => "ip",
        PolicyMode.Kat => "kat",
        PolicyMode.IpAndKat => "ip+kat",
        _ => "none",
    };
}

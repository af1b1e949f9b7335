using System.Collections.Immutable;

namespace Gateway.Knock;

/// <summary>The compiled <c>Gateway:Knock</c> section for one configuration revision.</summary>
internal sealed record KnockSettings
{
    public static readonly KnockSettings Disabled = new();

    /// <summary>The OpenID provider; null: no login (and so no portal).</summary>
    public OidcSettings? Oidc { get; init; }

    /// <summary>The portal; null when there is no login.</summary>
    public PortalSettings? Portal { get; init; }

    /// <summary>The applications the portal offers, in name order.</summary>
    public ImmutableArray<PortalApplication> Applications { get; init; } = [];

    public bool ForwardAuth { get; init; }

    public RateLimitSettings RateLimits { get; init; } = RateLimitSettings.Default;
}

internal sealed record OidcSettings(
    Uri Authority,
    string ClientId,
    string ClientSecret,
    ImmutableArray<string> Scopes,
    string UserClaim,
    string EmailClaim,
    string GroupsClaim,
    bool RequireHttpsMetadata,
    TimeSpan ClockSkew,
    TimeSpan MetadataRefresh)
{
    /// <summary>The discovery document's URL.</summary>
    public Uri DiscoveryUrl { get; } = new(Authority.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration");
}

/// <summary>Where the portal is: a path on every host, or a path on a host of its own.</summary>
internal sealed record PortalSettings(string? Host, string Path, TimeSpan MaxTtl, TimeSpan SignInLifetime, string Title)
{
    /// <summary>A form action or link below the portal page (<c>allow</c>, <c>revoke</c>).</summary>
    public string PathOf(string action) => (Path == "/" ? string.Empty : Path) + "/" + action;
}

/// <summary>
/// An application of the portal: the list allowing opens it, where the user goes, who may. <c>IssuesKat</c>: a
/// route of the list needs a session, so allowing also issues a KAT.
/// </summary>
internal sealed record PortalApplication(string Name, string Title, string ListName, Uri Url, ImmutableArray<string> Groups, bool IssuesKat)
{
    public const string Everyone = "*";

    /// <summary>Whether a user with <paramref name="groups"/> may allow themselves on the application's list.</summary>
    public bool AllowsAny(ImmutableArray<string> groups)
    {
        foreach (var group in Groups)
        {
            if (group == Everyone || groups.Contains(group, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

internal enum RateLimitKind
{
    None,
    Login,
    Allow,
    Redemption,
    ForwardAuth,
}

/// <summary>A fixed window per client IP; a limit of 0 is off.</summary>
internal readonly record struct RateLimit(int Limit, TimeSpan Window);

internal sealed record RateLimitSettings(RateLimit Login, RateLimit Allow, RateLimit Redemption, RateLimit ForwardAuth)
{
    public static readonly RateLimitSettings Default = new(
        new RateLimit(60, TimeSpan.FromMinutes(1)),
        new RateLimit(60, TimeSpan.FromMinutes(1)),
        new RateLimit(120, TimeSpan.FromMinutes(1)),
        new RateLimit(1000, TimeSpan.FromSeconds(10)));

    public RateLimit For(RateLimitKind kind) => kind switch
    {
        RateLimitKind.Login => Login,
        RateLimitKind.Allow => Allow,
        RateLimitKind.Redemption => Redemption,
        RateLimitKind.ForwardAuth => ForwardAuth,
        _ => default,
    };
}

namespace Gateway.Knock;

/// <summary>
/// The <c>Gateway:Knock</c> section: the gateway's own front door. Login with any OpenID provider, a portal where
/// users allow their IP on the access lists their groups may use (and get a KAT session with it), and a forward-auth
/// endpoint that lets nginx, Traefik or Caddy ask the gateway for decisions.
/// </summary>
internal sealed class KnockOptions
{
    public OidcOptions Oidc { get; set; } = new();

    public PortalOptions Portal { get; set; } = new();

    /// <summary>What the portal offers, by name: each names its access list and the URL the user is sent to.</summary>
    public Dictionary<string, ApplicationOptions> Applications { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ForwardAuthOptions ForwardAuth { get; set; } = new();

    public RateLimitsOptions RateLimits { get; set; } = new();
}

/// <summary>The OpenID provider: authorization code flow with PKCE, configured from its discovery document.</summary>
internal sealed class OidcOptions
{
    /// <summary>The issuer URL; the discovery document is read from <c>&lt;Authority&gt;/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret. Better kept out of files: <c>ClientSecretFile</c> or <c>Gateway__Knock__Oidc__ClientSecret</c>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>A file holding the client secret (a mounted Kubernetes or Docker secret).</summary>
    public string? ClientSecretFile { get; set; }

    /// <summary>Scopes asked for; <c>openid</c> is always added. Default <c>openid profile email</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The id_token claim naming the user. Default <c>preferred_username</c>, falling back to <c>sub</c>.</summary>
    public string? UserClaim { get; set; }

    /// <summary>Default <c>email</c>.</summary>
    public string? EmailClaim { get; set; }

    /// <summary>The claim listing the user's groups; dots reach into objects (<c>realm_access.roles</c>). Default <c>groups</c>.</summary>
    public string? GroupsClaim { get; set; }

    /// <summary>Refuse a provider whose endpoints are not https. Default true; false only for a provider on a trusted network.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Tolerated clock difference for the id_token's times. Default 2m.</summary>
    public string? ClockSkew { get; set; }

    /// <summary>How long the discovery document and signing keys are kept before they are read again. Default 1h.</summary>
    public string? MetadataRefresh { get; set; }
}

/// <summary>The "allow my IP" portal.</summary>
internal sealed class PortalOptions
{
    /// <summary>A host of its own for the portal (its <c>Path</c> then defaults to <c>/</c>); none: any host, under <c>/.gateway/</c>.</summary>
    public string? Host { get; set; }

    /// <summary>Where the portal page is. Default <c>/.gateway/portal</c> (or <c>/</c> with <c>Host</c>).</summary>
    public string? Path { get; set; }

    /// <summary>Longest time an allowed IP stays on a list: a list's <c>DefaultTtl</c> is capped by it. Default 12h.</summary>
    public string? MaxTtl { get; set; }

    /// <summary>How long a portal sign-in lasts before the provider is asked again. Default 1h.</summary>
    public string? SignInLifetime { get; set; }

    /// <summary>The portal's heading. Default "Application access".</summary>
    public string? Title { get; set; }
}

/// <summary>An application shown in the portal.</summary>
internal sealed class ApplicationOptions
{
    /// <summary>The access list allowing opens it. Default: the application's own name.</summary>
    public string? List { get; set; }

    /// <summary>The URL the user is sent to after allowing (with the KAT when a route of the list needs a session).</summary>
    public string? Url { get; set; }

    /// <summary>The name shown. Default: the application's name.</summary>
    public string? Title { get; set; }
}

/// <summary><c>/.gateway/auth</c> for nginx <c>auth_request</c>, Traefik ForwardAuth and Caddy <c>forward_auth</c>.</summary>
internal sealed class ForwardAuthOptions
{
    /// <summary>Answer forward-auth requests (from <c>Gateway:Access:TrustedProxies</c> only). Default false.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>Requests per client IP and window, per kind; <c>Limit: 0</c> switches a limit off.</summary>
internal sealed class RateLimitsOptions
{
    /// <summary>Sign-in starts and provider callbacks. Default 60 per minute.</summary>
    public RateLimitOptions Login { get; set; } = new();

    /// <summary>The portal's allow and revoke forms. Default 60 per minute.</summary>
    public RateLimitOptions Allow { get; set; } = new();

    /// <summary>KAT redemptions (<c>?kat=</c> and <c>POST /.gateway/kat</c>). Default 120 per minute.</summary>
    public RateLimitOptions Redemption { get; set; } = new();

    /// <summary>Forward-auth questions, per client behind the proxy. Default 1000 per 10 seconds.</summary>
    public RateLimitOptions ForwardAuth { get; set; } = new();
}

internal sealed class RateLimitOptions
{
    public int? Limit { get; set; }

    public string? Window { get; set; }
}

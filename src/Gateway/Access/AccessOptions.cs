namespace Gateway.Access;

/// <summary>
/// The <c>Gateway:Access</c> section: who may reach protected routes. Lists are HAProxy's <c>acl ... src -u 500</c>;
/// each list may have a token map for KATs; a route names its list and policy under <c>Routes:&lt;id&gt;:Access</c>.
/// </summary>
internal sealed class AccessOptions
{
    /// <summary>
    /// Networks (CIDR or address) of proxies in front of the gateway whose <c>X-Forwarded-For</c>/<c>Forwarded</c>
    /// headers are believed. Empty: the socket peer is always the client.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary><c>X-Forwarded-For</c> (default), <c>Forwarded</c> (RFC 7239), or <c>both</c> (Forwarded first).</summary>
    public string? ForwardedHeader { get; set; }

    public Dictionary<string, AccessListOptions> Lists { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public TokenOptions Tokens { get; set; } = new();

    public SessionOptions Sessions { get; set; } = new();

    /// <summary>Hosts that return URLs (after a login redirect or a KAT redemption) may point to; default: every route host.</summary>
    public List<string> ReturnHosts { get; set; } = [];

    /// <summary>A URL shown on the reject page for users to request access (the knock portal).</summary>
    public string? PortalUrl { get; set; }
}

/// <summary>One access list.</summary>
internal sealed class AccessListOptions
{
    /// <summary>The numeric id (<c>#500</c>) the runtime API addresses it by. Required, unique.</summary>
    public int? Id { get; set; }

    /// <summary>The numeric id of the list's token map (<c>add map #501 TOKEN VALUE</c>); none: no KATs by socket.</summary>
    public int? TokenMapId { get; set; }

    /// <summary>Static entries: addresses and CIDR prefixes, IPv4 or IPv6.</summary>
    public List<string> Entries { get; set; } = [];

    /// <summary>Time-to-live of entries added at run time without one; none: they stay until removed.</summary>
    public string? DefaultTtl { get; set; }

    /// <summary>
    /// Groups (from the login's groups claim) whose members may allow themselves on this list in the knock portal;
    /// <c>*</c>: every signed-in user. Empty: the portal does not offer the list.
    /// </summary>
    public List<string> Groups { get; set; } = [];
}

/// <summary>KATs: single-use tokens redeemed once for a session.</summary>
internal sealed class TokenOptions
{
    /// <summary>How long an issued token can be redeemed. Default 60s.</summary>
    public string? Lifetime { get; set; }

    /// <summary>The query parameter that carries a token. Default <c>kat</c>.</summary>
    public string? QueryParameter { get; set; }
}

/// <summary>Session cookies issued on redemption.</summary>
internal sealed class SessionOptions
{
    /// <summary>Absolute lifetime. Default 12h.</summary>
    public string? Lifetime { get; set; }

    /// <summary>A session unused this long ends. Default 1h.</summary>
    public string? IdleTimeout { get; set; }

    /// <summary>Cookie name prefix; the list name is appended. Default <c>gw_session</c>.</summary>
    public string? CookieName { get; set; }
}

/// <summary>A route's access policy (<c>Routes:&lt;id&gt;:Access</c>).</summary>
internal sealed class RouteAccessOptions
{
    /// <summary><c>none</c>, <c>ip</c>, <c>kat</c>, or <c>ip+kat</c> (the default once a list is named).</summary>
    public string? Policy { get; set; }

    /// <summary>The access list (by name) the client IP and the session are checked against.</summary>
    public string? List { get; set; }

    public RejectOptions Reject { get; set; } = new();
}

/// <summary>What a rejected request gets.</summary>
internal sealed class RejectOptions
{
    /// <summary><c>deny</c> (an error page, default), <c>redirect</c> (to a login portal) or <c>fallback</c> (to a cluster).</summary>
    public string? Action { get; set; }

    /// <summary>For <c>deny</c>: 403 (default) or 503.</summary>
    public int? Status { get; set; }

    /// <summary>For <c>deny</c>: an HTML file sent instead of the built-in page (HAProxy's <c>errorfile</c>).</summary>
    public string? Page { get; set; }

    /// <summary>For <c>redirect</c>: the login or portal URL; the original URL is added as <c>return</c>.</summary>
    public string? Url { get; set; }

    /// <summary>For <c>fallback</c>: the cluster (an existing HAProxy); default <c>Gateway:Fallback:Cluster</c>.</summary>
    public string? Cluster { get; set; }
}

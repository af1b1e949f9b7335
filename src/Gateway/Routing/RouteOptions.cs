using Gateway.Access;

namespace Gateway.Routing;

/// <summary>
/// One route: which requests (host, path, method) go to which cluster. HAProxy expresses the same with
/// <c>acl is_app hdr(host) app.example.com</c> plus <c>use_backend app if is_app</c>.
/// </summary>
internal sealed class ProxyRouteOptions
{
    /// <summary>Host names, with an optional port; a leading <c>*.</c> matches any subdomain. Empty: any host.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>A path prefix such as <c>/api</c> (matches <c>/api</c> and <c>/api/...</c>).</summary>
    public string? PathPrefix { get; set; }

    /// <summary>An ASP.NET route pattern such as <c>/items/{id}</c> or <c>/files/{**rest}</c>.</summary>
    public string? Path { get; set; }

    /// <summary>HTTP methods; empty means any method.</summary>
    public List<string> Methods { get; set; } = [];

    /// <summary>Names of the listeners this route is served on; empty means every public HTTP listener.</summary>
    public List<string> Listeners { get; set; } = [];

    /// <summary>The cluster (HAProxy backend) the route sends to.</summary>
    public string? Cluster { get; set; }

    /// <summary>Lower numbers win when two routes match the same request.</summary>
    public int? Order { get; set; }

    /// <summary>The access policy: which list the client IP and session must be on, and what a refusal gets.</summary>
    public RouteAccessOptions Access { get; set; } = new();

    /// <summary>Obtain and renew a certificate for <see cref="Hosts"/> over ACME (see <c>Gateway:Tls:Acme</c>).</summary>
    public bool? Acme { get; set; }

    /// <summary>
    /// On plain-HTTP listeners, answer with a redirect to the same URL over https (HAProxy's
    /// <c>redirect scheme https if !{ ssl_fc }</c>); ACME challenges are still answered.
    /// </summary>
    public bool? RedirectToHttps { get; set; }
}

/// <summary>
/// What requests no route matches get (HAProxy's <c>default_backend</c>): a cluster (an existing HAProxy, say), or
/// an error page with a status. Without either they get 404.
/// </summary>
internal sealed class FallbackOptions
{
    public string? Cluster { get; set; }

    /// <summary>404 (default), 403 or 503, with the built-in page or <see cref="Page"/>.</summary>
    public int? Status { get; set; }

    /// <summary>An HTML file sent instead of the built-in page (HAProxy's <c>errorfile</c>).</summary>
    public string? Page { get; set; }
}

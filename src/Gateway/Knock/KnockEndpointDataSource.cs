using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace Gateway.Knock;

/// <summary>
/// The knock endpoints, rebuilt when the configuration changes (the portal's host and path may move). They are
/// served on public listeners only, and ordered before every proxy route, so no route (even a catch-all with a low
/// Order) can take the portal's host or path; on the portal's own host everything else still goes to routing.
/// </summary>
internal sealed class KnockEndpointDataSource(GatewayConfigManager config) : EndpointDataSource
{
    /// <summary>Before any route's <c>Order</c>: the knock endpoints win where they match.</summary>
    public const int EndpointOrder = -1_000_000;

    private volatile Built? _built;

    public override IReadOnlyList<Endpoint> Endpoints
    {
        get
        {
            var current = config.Current;
            var built = _built;
            if (built is null || !ReferenceEquals(built.Config, current))
            {
                _built = built = new Built(current, Build(current.Knock));
            }

            return built.Endpoints;
        }
    }

    public override IChangeToken GetChangeToken() => config.ChangeToken;

    private static List<Endpoint> Build(KnockSettings knock)
    {
        var endpoints = new List<Endpoint>
        {
            Create("Knock login", KnockPaths.Login, ["GET", "HEAD"], null, RateLimitKind.Login, c => Service<LoginEndpoints>(c).LoginAsync(c)),
            Create("Knock login callback", KnockPaths.Callback, ["GET"], null, RateLimitKind.Login, c => Service<LoginEndpoints>(c).CallbackAsync(c)),
            Create("Knock logout", KnockPaths.Logout, ["POST"], null, RateLimitKind.Allow, c => Service<LoginEndpoints>(c).LogoutAsync(c)),
            Create("Knock forward-auth", KnockPaths.ForwardAuth, null, null, RateLimitKind.ForwardAuth, c => Service<ForwardAuthEndpoint>(c).HandleAsync(c)),
        };

        if (knock.Portal is { } portal)
        {
            endpoints.Add(Create("Knock portal", portal.Path, ["GET", "HEAD"], portal.Host, RateLimitKind.None, c => Service<PortalEndpoints>(c).ShowAsync(c)));
            endpoints.Add(Create("Knock portal allow", portal.PathOf("allow"), ["POST"], portal.Host, RateLimitKind.Allow, c => Service<PortalEndpoints>(c).AllowAsync(c)));
            endpoints.Add(Create("Knock portal revoke", portal.PathOf("revoke"), ["POST"], portal.Host, RateLimitKind.Allow, c => Service<PortalEndpoints>(c).RevokeAsync(c)));
        }

        return endpoints;
    }

    private sealed record Built(GatewayConfig Config, IReadOnlyList<Endpoint> Endpoints);

    private static T Service<T>(HttpContext context)
        where T : notnull => context.RequestServices.GetRequiredService<T>();

    private static RouteEndpoint Create(string name, string path, string[]? methods, string? host, RateLimitKind limit, RequestDelegate handler)
    {
        var builder = new RouteEndpointBuilder(handler, RoutePatternFactory.Parse(path), EndpointOrder) { DisplayName = name };
        builder.Metadata.Add(new ListenerScopeMetadata(ListenerKind.Public));
        if (methods is not null)
        {
            builder.Metadata.Add(new HttpMethodMetadata(methods));
        }

        if (host is not null)
        {
            builder.Metadata.Add(new HostAttribute(host));
        }

        if (limit != RateLimitKind.None)
        {
            builder.Metadata.Add(new RateLimitMetadata(limit));
        }

        return (RouteEndpoint)builder.Build();
    }
}

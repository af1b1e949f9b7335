using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Knock;

internal static class KnockServiceCollectionExtensions
{
    /// <summary>Login, portal, forward-auth and their rate limits. Nothing here runs for proxied traffic.</summary>
    public static IServiceCollection AddKnock(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(OidcBackchannel.HandlerKey, (_, _) => OidcBackchannel.CreateHandler());
        services.TryAddSingleton<OidcBackchannel>();
        services.TryAddSingleton<OidcDiscovery>();
        services.TryAddSingleton<OidcLogin>();
        services.TryAddSingleton<LoginEndpoints>();
        services.TryAddSingleton<PortalSignIn>();
        services.TryAddSingleton<PortalAntiforgery>();
        services.TryAddSingleton<PortalGrants>();
        services.TryAddSingleton<PortalEndpoints>();
        services.TryAddSingleton<KnownUsers>();
        services.TryAddSingleton<ForwardAuthRoutes>();
        services.TryAddSingleton<ForwardAuthEndpoint>();
        services.TryAddSingleton<KnockRateLimiter>();
        services.TryAddSingleton<KnockEndpointDataSource>();
        services.TryAddSingleton<GrantWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<GrantWatcher>());
        services.AddRateLimiter(_ => { });
        return services;
    }

    /// <summary>
    /// After endpoint selection, before unrouted requests are answered: <c>/.gateway/</c> kept from the routes, and the
    /// rate limits, run only for the requests they concern.
    /// </summary>
    public static WebApplication UseKnock(this WebApplication app)
    {
        app.UseMiddleware<ReservedPathMiddleware>();
        var limiter = app.Services.GetRequiredService<KnockRateLimiter>();
        app.UseWhen(limiter.Applies, branch => branch.UseRateLimiter(limiter.Options));
        return app;
    }

    /// <summary>The login, portal and forward-auth endpoints (public listeners only).</summary>
    public static WebApplication MapKnock(this WebApplication app)
    {
        ((IEndpointRouteBuilder)app).DataSources.Add(app.Services.GetRequiredService<KnockEndpointDataSource>());
        return app;
    }
}

using Gateway.Access.Sessions;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Observability;
using Gateway.State;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Access;

internal static class AccessServiceCollectionExtensions
{
    public static IServiceCollection AddAccessPolicy(this IServiceCollection services, string stateDirectory)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            // The catalog follows the configuration: lists are kept by name across reloads.
            var manager = sp.GetRequiredService<GatewayConfigManager>();
            var state = new AccessState();
            state.Configure(manager.Current.Access);
            manager.Changed += (_, next) => state.Configure(next.Access);
            return state;
        });
        services.TryAddSingleton<IAccessStore, MemoryAccessStore>();
        services.TryAddSingleton<AccessWriter>();
        services.TryAddSingleton<SessionCookies>();
        services.TryAddSingleton<KatRedemption>();
        services.AddCapabilityMetrics<AccessMetrics>();
        services.TryAddSingleton<RejectResponder>();
        services.AddHostedService<AccessSweeper>();
        services.AddSingleton<ITransformProvider, ForwardedHeadersTransform>();
        services.HoldRequestLoggingAtWarning();

        // Session cookies are sealed with this key ring; it lives with the rest of the gateway's state.
        services.AddDataProtection()
            .SetApplicationName("gateway")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(stateDirectory, "keys")));
        return services;
    }

    /// <summary>Settles the client IP of every request, first thing in the pipeline.</summary>
    public static WebApplication UseClientIp(this WebApplication app)
    {
        app.UseMiddleware<ClientIpMiddleware>();
        return app;
    }

    /// <summary>The KAT redemption form endpoint, on public listeners.</summary>
    public static WebApplication MapKatRedemption(this WebApplication app)
    {
        app.MapPost(KatRedemption.EndpointPath, (HttpContext context, KatRedemption redemption, GatewayConfigManager config) =>
                redemption.RedeemFromFormAsync(context, config.Current.Access))
            .WithMetadata(new ListenerScopeMetadata(ListenerKind.Public))
            .DisableAntiforgery();
        return app;
    }

    /// <summary>The access policy step inside the proxy pipeline.</summary>
    public static IApplicationBuilder UseAccessPolicy(this IApplicationBuilder pipeline) =>
        pipeline.UseMiddleware<AccessMiddleware>();
}

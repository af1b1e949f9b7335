using Gateway.Access;
using Gateway.Configuration;
using Gateway.Demo;
using Gateway.Knock;
using Gateway.Kubernetes;
using Gateway.Observability;
using Gateway.Routing;
using Gateway.RuntimeApi;
using Gateway.State;
using Gateway.Tcp;
using Gateway.Tls;

namespace Gateway.Hosting;

internal static class GatewayServiceCollectionExtensions
{
    /// <summary>Validates the configuration (throwing <see cref="GatewayConfigException"/> with every error) and adds every capability.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var (config, errors, files) = GatewayApplication.CompileConfig(builder);
        if (config is null)
        {
            throw new GatewayConfigException(errors);
        }

        var registry = new ListenerRegistry();
        builder.WebHost.ConfigureKestrel(kestrel => KestrelListeners.Configure(kestrel, config, registry));

        var services = builder.Services;
        services.AddSingleton(registry);
        services.AddSingleton(sp => new GatewayConfigManager(
            config, builder.Configuration, files, builder.Environment.ContentRootPath, sp.GetRequiredService<ILogger<GatewayConfigManager>>()));
        services.AddSingleton(sp => new StateDirectory(config.StateDirectory, sp.GetRequiredService<ILogger<StateDirectory>>()));
        services.AddSingleton<Readiness>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = config.Shutdown.Total);
        services.AddHostedService<GracefulShutdown>();
        services.AddHostedService<StartupReport>();
        services.AddGatewayRouting();
        services.AddAccessStore(config.State);
        services.AddAccessPolicy(config.StateDirectory);
        // The runtime API binds its sockets before the TLS services start: ACME begins ordering as soon as it starts,
        // and nothing should stand between that and Kestrel binding the listeners that answer the challenges.
        services.AddRuntimeApi();
        services.AddGatewayTls();
        services.AddGatewayObservability();
        services.AddGatewayTcp();
        services.AddKnock();
        services.AddKubernetesIngress();
        return builder;
    }

    /// <summary>The request pipeline: endpoint selection by listener, then health, demo and proxy endpoints.</summary>
    public static WebApplication UseGateway(this WebApplication app)
    {
        // Create the state directory before anything wants to write into it.
        app.Services.GetRequiredService<StateDirectory>();
        app.LoadAccessState();

        app.UseAccessLog();
        app.UseClientIp();
        app.UseRouting();
        app.UseGatewayTls();
        app.UseKnock();
        app.UseMiddleware<NoRouteMiddleware>();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapDemoUpstream();
        app.MapKatRedemption();
        app.MapAdminApi();
        app.MapKnock();
        app.MapGatewayRoutes();
        return app;
    }
}

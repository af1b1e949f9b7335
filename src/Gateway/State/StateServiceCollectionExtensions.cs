using Gateway.Access;
using Gateway.Hosting;
using Gateway.Observability;
using Gateway.State.Embedded;
using Gateway.State.Postgres;
using Gateway.Tls.Acme;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Gateway.State;

internal static class StateServiceCollectionExtensions
{
    /// <summary>Registers the access-state store the configuration chose (it cannot change without a restart).</summary>
    public static IServiceCollection AddAccessStore(this IServiceCollection services, StateSettings settings)
    {
        services.AddCapabilityMetrics<StoreMetrics>();
        switch (settings.Kind)
        {
            case StoreKind.Memory:
                services.AddSingleton<IAccessStore, MemoryAccessStore>();
                break;
            case StoreKind.Embedded:
                services.AddSingleton(sp => new EmbeddedAccessStore(
                    sp.GetRequiredService<AccessState>(),
                    sp.GetRequiredService<StateDirectory>(),
                    settings,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<StoreMetrics>(),
                    sp.GetRequiredService<ILogger<EmbeddedAccessStore>>()));
                services.AddSingleton<IAccessStore>(sp => sp.GetRequiredService<EmbeddedAccessStore>());
                services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<EmbeddedAccessStore>());
                break;
            case StoreKind.Postgres:
                services.AddSingleton(sp => new PostgresAccessStore(
                    sp.GetRequiredService<AccessState>(),
                    settings,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<StoreMetrics>(),
                    sp.GetRequiredService<ILogger<PostgresAccessStore>>()));
                services.AddSingleton<IAccessStore>(sp => sp.GetRequiredService<PostgresAccessStore>());
                services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<PostgresAccessStore>());
                // The key ring sealing session cookies is shared too, so any replica opens any replica's cookie.
                services.AddOptions<KeyManagementOptions>().PostConfigure<IServiceProvider>((options, sp) =>
                    options.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<PostgresAccessStore>().DataSource, settings.Schema));
                // So are the ACME account and certificates (one replica orders, all serve), and the challenges being
                // validated (the authority's check may reach any replica).
                services.AddSingleton<IAcmeStorageFactory>(sp => new PostgresAcmeStorageFactory(sp.GetRequiredService<PostgresAccessStore>(), settings.Schema));
                services.AddSingleton<ISharedAcmeChallenges>(sp => new PostgresAcmeChallenges(sp.GetRequiredService<PostgresAccessStore>(), settings.Schema));
                break;
        }

        return services;
    }

    /// <summary>Loads the stored state now, before the listeners open, so no request is decided on an empty state.</summary>
    public static WebApplication LoadAccessState(this WebApplication app)
    {
        app.Services.GetRequiredService<IAccessStore>();
        return app;
    }
}

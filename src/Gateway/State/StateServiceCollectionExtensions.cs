using Gateway.Access;
using Gateway.Hosting;
using Gateway.Observability;
using Gateway.State.Embedded;

namespace Gateway.State;

internal static class StateServiceCollectionExtensions
{
    /// <summary>Registers the access-state store the configuration chose (it cannot change without a restart).</summary>
    public static IServiceCollection AddAccessStore(this IServiceCollection services, StateSettings settings)
    {
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
                    sp.GetRequiredService<ILogger<EmbeddedAccessStore>>()));
                services.AddSingleton<IAccessStore>(sp => sp.GetRequiredService<EmbeddedAccessStore>());
                services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<EmbeddedAccessStore>());
                break;
            case StoreKind.Postgres:
                throw new NotSupportedException("The postgres store is not available in this build yet.");
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

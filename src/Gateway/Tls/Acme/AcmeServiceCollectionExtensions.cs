using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Tls.Acme;

internal static class AcmeServiceCollectionExtensions
{
    /// <summary>The ACME renewal loop; it does nothing until a route sets <c>Acme: true</c>.</summary>
    public static IServiceCollection AddGatewayAcme(this IServiceCollection services)
    {
        // Files in the state directory, unless the access store registered its own (PostgreSQL, shared by replicas).
        services.TryAddSingleton<IAcmeStorageFactory, FileAcmeStorageFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AcmeRenewalService>());
        return services;
    }
}

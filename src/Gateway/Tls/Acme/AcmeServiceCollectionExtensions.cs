using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Tls.Acme;

internal static class AcmeServiceCollectionExtensions
{
    /// <summary>The ACME renewal loop; it does nothing until a route sets <c>Acme: true</c>.</summary>
    public static IServiceCollection AddGatewayAcme(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AcmeRenewalService>());
        return services;
    }
}

using Gateway.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Kubernetes;

internal static class KubernetesServiceCollectionExtensions
{
    /// <summary>The ingress controller; it idles unless <c>Gateway:Kubernetes:Enabled</c> is true.</summary>
    public static IServiceCollection AddKubernetesIngress(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IngressController>();
        services.AddHostedService(sp => sp.GetRequiredService<IngressController>());
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<IngressController>());
        return services;
    }
}

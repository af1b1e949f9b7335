namespace Gateway.Tls.Acme;

internal static class AcmeServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayAcme(this IServiceCollection services)
    {
        return services;
    }
}

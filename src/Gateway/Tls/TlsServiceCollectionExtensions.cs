using Gateway.Observability;
using Gateway.Tls.Acme;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Tls;

internal static class TlsServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayTls(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CertificateStore>();
        services.AddCapabilityMetrics<CertificateMetrics>();
        services.TryAddSingleton<AcmeChallengeResponder>();
        services.TryAddSingleton<TlsHandshakeSelector>();
        services.AddGatewayAcme();
        return services;
    }

    /// <summary>
    /// After endpoint selection, before anything that may reject a request: ACME http-01 answers, HSTS on TLS
    /// responses, and redirects to https for the routes that ask.
    /// </summary>
    public static WebApplication UseGatewayTls(this WebApplication app)
    {
        app.UseMiddleware<AcmeChallengeMiddleware>();
        app.UseMiddleware<HstsMiddleware>();
        app.UseMiddleware<HttpsRedirectMiddleware>();
        return app;
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Observability;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>The access log, the metrics (the <c>Gateway</c> meter, <c>/metrics</c>, OTLP) and their hooks.</summary>
    public static IServiceCollection AddGatewayObservability(this IServiceCollection services)
    {
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<YarpMetricsBridge>();
        services.TryAddSingleton<MetricsCollector>();
        services.TryAddSingleton<AccessLogWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogWriter>());
        services.AddHostedService<OtlpMetricsExporter>();
        return services;
    }

    /// <summary>A capability's instruments: one singleton, also listed as <see cref="ICapabilityMetrics"/>.</summary>
    public static IServiceCollection AddCapabilityMetrics<T>(this IServiceCollection services)
        where T : class, ICapabilityMetrics
    {
        services.TryAddSingleton<T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICapabilityMetrics, T>(sp => sp.GetRequiredService<T>()));
        return services;
    }

    /// <summary>First in the pipeline, so the log and the request metrics see every request, routed or not.</summary>
    public static WebApplication UseAccessLog(this WebApplication app)
    {
        app.UseMiddleware<AccessLogMiddleware>();
        return app;
    }
}

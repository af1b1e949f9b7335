namespace Gateway.Observability;

/// <summary>
/// A capability's own instruments on the <c>Gateway</c> meter (<c>Access/AccessMetrics</c>,
/// <c>Tls/CertificateMetrics</c>, <c>State/StoreMetrics</c>). Registered under this interface with
/// <see cref="ObservabilityServiceCollectionExtensions.AddCapabilityMetrics{T}"/>, so that <c>/metrics</c> and the
/// OTLP exporter create them before the server starts and their gauges show from the first scrape.
/// </summary>
internal interface ICapabilityMetrics
{
}

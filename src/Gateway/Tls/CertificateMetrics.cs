using System.Diagnostics.Metrics;
using Gateway.Observability;

namespace Gateway.Tls;

/// <summary>
/// The TLS capability's instrument: for every host name the listeners have a certificate for, the seconds until the
/// certificate they would serve for it expires (negative once it has), with where it came from (a file, the
/// self-signed one, ACME). Read from the current <see cref="CertificateSnapshot"/> when scraped, so a renewal shows
/// at once.
/// </summary>
internal sealed class CertificateMetrics : ICapabilityMetrics
{
    public CertificateMetrics(GatewayMetrics metrics, CertificateStore store, TimeProvider time)
    {
        metrics.Meter.CreateObservableGauge(
            "gateway.certificate.expiry", () => Expiry(store.Current, time.GetUtcNow()), "s",
            "Seconds until the certificate served for each host name expires (negative once expired), by host and source.");
    }

    private static IEnumerable<Measurement<double>> Expiry(CertificateSnapshot snapshot, DateTimeOffset now)
    {
        foreach (var host in snapshot.Names)
        {
            if (snapshot.Select(host, strict: true) is { } certificate)
            {
                yield return new Measurement<double>(
                    Math.Floor((certificate.NotAfter - now).TotalSeconds),
                    new KeyValuePair<string, object?>("host", host), new KeyValuePair<string, object?>("source", certificate.Origin));
            }
        }
    }
}

using System.Security.Cryptography.X509Certificates;
using Gateway.Tls;

namespace Gateway.Kubernetes;

/// <summary>
/// The HTTP client for the API server: trusts only the configured CA (the service account's ca.crt in a pod) rather
/// than the system store, and never goes through a proxy. Watches stay open for minutes, so there is no overall
/// timeout; each request is bounded by its cancellation token instead.
/// </summary>
internal static class KubernetesHttp
{
    public static HttpClient Create(KubernetesSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        if (settings.CaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.Validate(roots, certificate, errors);
        }

        return new HttpClient(handler) { BaseAddress = settings.ApiServer, Timeout = Timeout.InfiniteTimeSpan };
    }
}

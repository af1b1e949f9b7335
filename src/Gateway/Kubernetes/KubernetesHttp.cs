using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

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
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, roots);
        }

        return new HttpClient(handler) { BaseAddress = settings.ApiServer, Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Gateway.Tls;

namespace Gateway.Kubernetes;

/// <summary>
/// Loads <c>kubernetes.io/tls</c> Secrets (<c>tls.crt</c>: certificate then chain, <c>tls.key</c>: its key) into
/// certificates the TLS listeners serve by SNI. Loaded certificates are kept per Secret resource version, so an
/// unrelated change (a pod coming or going) does not parse every Secret again.
/// </summary>
internal sealed class TlsSecrets
{
    private readonly Dictionary<string, (string? Version, ServerCertificate? Certificate, string? Problem)> _loaded = new(StringComparer.Ordinal);

    /// <summary>The certificate of Secret <paramref name="key"/> (<c>namespace/name</c>), or null and why not.</summary>
    public (ServerCertificate? Certificate, string? Problem) Get(string key, IReadOnlyDictionary<string, JsonElement> secrets)
    {
        if (!secrets.TryGetValue(key, out var secret))
        {
            return (null, "does not exist (or is not of type kubernetes.io/tls)");
        }

        var version = secret.Meta("resourceVersion");
        if (_loaded.TryGetValue(key, out var cached) && cached.Version == version && version is not null)
        {
            return (cached.Certificate, cached.Problem);
        }

        var (certificate, problem) = Load(key, secret);
        _loaded[key] = (version, certificate, problem);
        return (certificate, problem);
    }

    /// <summary>Forgets Secrets no longer named by any Ingress.</summary>
    public void Retain(IReadOnlySet<string> keys)
    {
        foreach (var stale in _loaded.Keys.Where(k => !keys.Contains(k)).ToList())
        {
            _loaded.Remove(stale);
        }
    }

    private static (ServerCertificate?, string?) Load(string key, JsonElement secret)
    {
        try
        {
            var certPem = Decode(secret.Str("data", "tls.crt"));
            var keyPem = Decode(secret.Str("data", "tls.key"));
            if (certPem is null || keyPem is null)
            {
                return (null, "lacks tls.crt or tls.key");
            }

            var all = new X509Certificate2Collection();
            all.ImportFromPem(certPem);
            if (all.Count == 0)
            {
                return (null, "tls.crt holds no PEM certificate");
            }

            var leaf = X509Certificate2.CreateFromPem(all[0].ExportCertificatePem(), keyPem);
            if (ServerCertificate.CheckServerUse(leaf) is { } unusable)
            {
                return (null, "tls.crt " + unusable);
            }

            var chain = new X509Certificate2Collection();
            for (var i = 1; i < all.Count; i++)
            {
                chain.Add(all[i]);
            }

            return (ServerCertificate.Create(leaf, chain, "secret " + key), null);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return (null, "cannot be loaded: " + e.Message);
        }
    }

    private static string? Decode(string? base64) => base64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64));
}

using System.Buffers.Text;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Routing;

namespace Gateway.Tls.Acme;

/// <summary>Validates <c>Gateway:Tls:Acme</c> and the routes that set <c>Acme: true</c>; builds the pass-through routes.</summary>
internal static class AcmeCompiler
{
    public const string PassThroughRoutePrefix = "__acme-passthrough-";
    public static readonly Uri LetsEncryptProduction = new("https://acme-v02.api.letsencrypt.org/directory");
    public static readonly Uri LetsEncryptStaging = new("https://acme-staging-v02.api.letsencrypt.org/directory");
    public static readonly string[] KeyTypes = ["ec-p256", "ec-p384", "rsa-2048", "rsa-3072", "rsa-4096"];

    private const string Key = "Gateway:Tls:Acme";

    public static (AcmeSettings? Settings, List<RouteDefinition> PassThrough) Compile(
        GatewayOptions options, IReadOnlyList<ListenerDefinition> listeners, IReadOnlyList<RouteDefinition> routes,
        IReadOnlySet<string> clusters, string contentRoot, ConfigErrors errors)
    {
        var acme = options.Tls.Acme;
        var passThrough = CompilePassThrough(acme, clusters, errors);
        var names = CollectNames(options, routes, errors);
        if (names.Count == 0)
        {
            return (null, passThrough);
        }

        var directory = acme.Directory?.Trim() switch
        {
            null or "" or "production" => LetsEncryptProduction,
            "staging" => LetsEncryptStaging,
            var url when Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps => uri,
            var url => Invalid<Uri>(errors, Key + ":Directory", $"'{url}' is not an ACME directory; use production, staging, or an https:// directory URL.", LetsEncryptProduction),
        };

        if (acme.AgreeToTermsOfService != true)
        {
            errors.Add(Key + ":AgreeToTermsOfService",
                $"must be true to obtain certificates for routes {string.Join(", ", names.Keys.Order(StringComparer.Ordinal))}: it says you agree to the certificate authority's terms of service.");
        }

        if (acme.Email is { } email && (email.Trim().Length == 0 || email.Count(c => c == '@') != 1 || email.Any(char.IsWhiteSpace) || email.StartsWith('@') || email.EndsWith('@')))
        {
            errors.Add(Key + ":Email", $"'{email}' is not an e-mail address.");
        }

        var https = listeners.Any(l => l.Protocol == "https");
        var plain = listeners.Any(l => l.Protocol == "http");
        if (!https)
        {
            errors.Add("Gateway:Listeners", "has no https listener to serve the ACME certificates; add one like \"https\": { \"Port\": 443, \"Protocol\": \"https\" }.");
        }

        var challenge = (acme.Challenge ?? (plain ? AcmeSettings.Http01 : AcmeSettings.TlsAlpn01)).Trim().ToLowerInvariant();
        if (challenge == AcmeSettings.Http01 && !plain)
        {
            errors.Add(Key + ":Challenge", "is http-01, which the authority checks on port 80, but no listener speaks plain http; add one on port 80 or use tls-alpn-01.");
        }
        else if (challenge is not (AcmeSettings.Http01 or AcmeSettings.TlsAlpn01))
        {
            errors.Add(Key + ":Challenge", $"'{acme.Challenge}' is not a challenge this gateway answers; use http-01 or tls-alpn-01 (dns-01 is not supported).");
        }

        var keyType = (acme.KeyType ?? "ec-p256").Trim().ToLowerInvariant();
        if (!KeyTypes.Contains(keyType))
        {
            errors.Add(Key + ":KeyType", $"'{acme.KeyType}' is not a key type; use one of: {string.Join(", ", KeyTypes)}.");
        }

        var directoryCa = CheckCaFile(acme.DirectoryCaFile, Key + ":DirectoryCaFile", contentRoot, errors);
        var issuerCa = CheckCaFile(acme.IssuerCaFile, Key + ":IssuerCaFile", contentRoot, errors);
        var retry = Duration.Parse(acme.RetryInterval, TimeSpan.FromMinutes(1), Key + ":RetryInterval", errors, TimeSpan.FromSeconds(1));

        var settings = new AcmeSettings
        {
            Directory = directory,
            Email = acme.Email?.Trim(),
            ExternalAccount = CompileExternalAccount(acme.ExternalAccount, errors),
            Challenge = challenge,
            KeyType = keyType,
            DirectoryCaFile = directoryCa,
            IssuerCaFile = issuerCa,
            RetryInterval = retry,
            Certificates = Group(names),
        };
        return (settings, passThrough);
    }

    /// <summary>Route id → its host names (lower case, ports removed), for the routes that set Acme: true.</summary>
    private static Dictionary<string, List<string>> CollectNames(GatewayOptions options, IReadOnlyList<RouteDefinition> routes, ConfigErrors errors)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in routes.Where(r => r.Acme))
        {
            var key = $"Gateway:Routes:{route.Id}";
            if (route.Hosts.IsEmpty)
            {
                errors.Add(key + ":Acme", "needs Hosts: an ACME certificate is for named hosts, so list them in Hosts.");
                continue;
            }

            var names = new List<string>();
            for (var i = 0; i < route.Hosts.Length; i++)
            {
                var host = route.Hosts[i];
                var colon = host.LastIndexOf(':');
                var name = colon > 0 && !host.EndsWith(']') ? host[..colon] : host;
                if (name.StartsWith("*.", StringComparison.Ordinal))
                {
                    errors.Add($"{key}:Hosts:{i}", $"'{host}' is a wildcard, which http-01 and tls-alpn-01 cannot prove (it needs dns-01); serve it from a certificate file under Gateway:Tls:Certificates, or set Acme on a route with named hosts.");
                }
                else if (IPAddress.TryParse(name.Trim('[', ']'), out _))
                {
                    errors.Add($"{key}:Hosts:{i}", $"'{host}' is an IP address; ACME certificates here are for DNS names.");
                }
                else
                {
                    names.Add(name);
                }
            }

            result[route.Id] = names;
        }

        return result;
    }

    /// <summary>Routes sharing a host get one certificate for all their hosts (connected routes, joined).</summary>
    private static ImmutableArray<AcmeCertificateRequest> Group(Dictionary<string, List<string>> names)
    {
        var groups = new List<SortedSet<string>>();
        foreach (var routeNames in names.Values.Where(n => n.Count > 0))
        {
            var merged = new SortedSet<string>(routeNames, StringComparer.Ordinal);
            foreach (var overlapping in groups.Where(g => g.Overlaps(merged)).ToList())
            {
                merged.UnionWith(overlapping);
                groups.Remove(overlapping);
            }

            groups.Add(merged);
        }

        return [.. groups.Select(g => new AcmeCertificateRequest(g.Min!, [.. g])).OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private static List<RouteDefinition> CompilePassThrough(
        AcmeOptions acme, IReadOnlySet<string> clusters, ConfigErrors errors)
    {
        var routes = new List<RouteDefinition>();
        foreach (var (name, entry) in acme.PassThrough.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var key = $"{Key}:PassThrough:{name}";
            var before = errors.All.Count;
            if (entry.Hosts.Count == 0)
            {
                errors.Add(key + ":Hosts", "is required: the hosts (like *.kube.example.com) whose challenges the backend answers.");
            }

            for (var i = 0; i < entry.Hosts.Count; i++)
            {
                if (HostPattern.Check(entry.Hosts[i]?.Trim() ?? string.Empty) is { } problem)
                {
                    errors.Add($"{key}:Hosts:{i}", problem);
                }
            }

            if (string.IsNullOrWhiteSpace(entry.Cluster) || !clusters.Contains(entry.Cluster))
            {
                errors.Add(key + ":Cluster", $"'{entry.Cluster}' is not a cluster; name the cluster (under Gateway:Clusters) that answers these challenges.");
            }

            if (errors.All.Count == before)
            {
                // The lowest Order makes it win over any route for the same host (RouteMatcherPolicy lets Order decide first).
                var hosts = entry.Hosts.Select(h => h.Trim().ToLowerInvariant()).ToImmutableArray();
                routes.Add(new RouteDefinition(PassThroughRoutePrefix + name, hosts, "/.well-known/acme-challenge/{**token}", [], [], entry.Cluster!, int.MinValue));
            }
        }

        return routes;
    }

    private static ExternalAccountBinding? CompileExternalAccount(ExternalAccountOptions eab, ConfigErrors errors)
    {
        if (eab.KeyId is null && eab.HmacKey is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(eab.KeyId) || string.IsNullOrWhiteSpace(eab.HmacKey))
        {
            errors.Add(Key + ":ExternalAccount", "needs both KeyId and HmacKey, as the certificate authority gave them.");
            return null;
        }

        var text = eab.HmacKey.Trim().TrimEnd('=').Replace('+', '-').Replace('/', '_');
        if (!Base64Url.IsValid(text, out _))
        {
            errors.Add(Key + ":ExternalAccount:HmacKey", "is not base64url text; paste the MAC key exactly as the certificate authority gave it.");
            return null;
        }

        return new ExternalAccountBinding(eab.KeyId.Trim(), [.. Base64Url.DecodeFromChars(text)]);
    }

    private static string? CheckCaFile(string? path, string key, string contentRoot, ConfigErrors errors)
    {
        if (path is null)
        {
            return null;
        }

        var full = Path.GetFullPath(path, contentRoot);
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(full);
            if (certificates.Count == 0)
            {
                errors.Add(key, $"'{path}' holds no PEM certificate.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            errors.Add(key, $"'{path}' cannot be read as PEM certificates: {e.Message}");
        }

        return full;
    }

    private static T Invalid<T>(ConfigErrors errors, string key, string message, T fallback)
    {
        errors.Add(key, message);
        return fallback;
    }
}

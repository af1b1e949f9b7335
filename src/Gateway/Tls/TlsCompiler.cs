using System.Collections.Immutable;
using System.Globalization;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Routing;
using Gateway.Tls.Acme;

namespace Gateway.Tls;

/// <summary>Validates <c>Gateway:Tls</c> against the listeners and routes, and compiles it into <see cref="TlsSettings"/>.</summary>
internal static class TlsCompiler
{
    private static readonly ImmutableArray<string> LoopbackNames = ["localhost", "127.0.0.1", "::1"];

    public static (TlsSettings Settings, List<RouteDefinition> PassThroughRoutes) Compile(
        GatewayOptions options, IReadOnlyList<ListenerDefinition> listeners, IReadOnlyList<RouteDefinition> routes,
        IReadOnlySet<string> clusters, string contentRoot, ConfigErrors errors)
    {
        var tls = options.Tls;
        const string key = "Gateway:Tls";
        var certificates = CompileCertificates(tls, contentRoot, errors);

        if (tls.DefaultCertificate is { } defaultName && !certificates.Any(c => c.Name.Equals(defaultName, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(key + ":DefaultCertificate", $"'{defaultName}' is not a certificate entry; name one of Gateway:Tls:Certificates.");
        }

        var protocols = (tls.MinVersion ?? "1.2").Trim().ToLowerInvariant().Replace("tlsv", string.Empty, StringComparison.Ordinal).Replace("tls", string.Empty, StringComparison.Ordinal) switch
        {
            "1.2" => SslProtocols.Tls12 | SslProtocols.Tls13,
            "1.3" => SslProtocols.Tls13,
            _ => Invalid(errors, key + ":MinVersion", $"'{tls.MinVersion}' is not a TLS version this gateway offers; use 1.2 (the default) or 1.3."),
        };

        var handshake = Duration.Parse(tls.HandshakeTimeout, TimeSpan.FromSeconds(10), key + ":HandshakeTimeout", errors, TimeSpan.FromMilliseconds(100));
        var hsts = CompileHsts(tls.Hsts, key + ":Hsts", errors);

        var selfSigned = ImmutableArray<string>.Empty;
        if (tls.SelfSigned.Enabled ?? tls.SelfSigned.Hosts.Count > 0)
        {
            for (var i = 0; i < tls.SelfSigned.Hosts.Count; i++)
            {
                if (HostPattern.Check(tls.SelfSigned.Hosts[i] ?? string.Empty) is { } problem)
                {
                    errors.Add($"{key}:SelfSigned:Hosts:{i}", problem);
                }
            }

            selfSigned = [.. LoopbackNames.Concat(tls.SelfSigned.Hosts.Select(h => h.Trim().ToLowerInvariant())).Distinct()];
        }

        var (acme, passThrough) = AcmeCompiler.Compile(options, listeners, routes, clusters, contentRoot, errors);

        var https = listeners.Where(l => l.Protocol == "https").ToList();
        if (https.Count > 0 && certificates.IsEmpty && selfSigned.IsEmpty && acme is null)
        {
            errors.Add($"Gateway:Listeners:{https[0].Name}:Protocol",
                "is https but there are no certificates to serve: add Gateway:Tls:Certificates, set Acme: true on routes, or set Gateway:Tls:SelfSigned:Enabled.");
        }

        foreach (var route in routes.Where(r => r.RedirectToHttps))
        {
            if (https.Count == 0)
            {
                errors.Add($"Gateway:Routes:{route.Id}:RedirectToHttps", "needs an https listener to redirect to; add one like \"https\": { \"Port\": 443, \"Protocol\": \"https\" }.");
            }
        }

        var settings = new TlsSettings
        {
            Certificates = certificates,
            DefaultCertificate = tls.DefaultCertificate,
            StrictSni = tls.StrictSni ?? false,
            Protocols = protocols,
            HandshakeTimeout = handshake,
            Hsts = hsts,
            SelfSignedHosts = selfSigned,
            Acme = acme,
        };
        return (settings, passThrough);
    }

    private static ImmutableArray<CertificateSource> CompileCertificates(TlsOptions tls, string contentRoot, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<CertificateSource>();
        foreach (var (name, entry) in tls.Certificates.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var key = $"Gateway:Tls:Certificates:{name}";
            if (string.IsNullOrWhiteSpace(entry.Path))
            {
                errors.Add(key + ":Path", "is required: a PEM or PFX file, or a directory of them (HAProxy's crt).");
                continue;
            }

            var source = new CertificateSource(
                name,
                Path.GetFullPath(entry.Path, contentRoot),
                entry.KeyPath is null ? null : Path.GetFullPath(entry.KeyPath, contentRoot),
                entry.Password);
            var problems = new List<string>();
            var loaded = CertificateFiles.Load(source, problems);
            foreach (var problem in problems)
            {
                errors.Add(key + ":Path", problem);
            }

            if (problems.Count == 0 && loaded.Count > 0)
            {
                result.Add(source);
            }
        }

        return result.ToImmutable();
    }

    private static string? CompileHsts(HstsOptions hsts, string key, ConfigErrors errors)
    {
        var configured = hsts.MaxAge is not null || hsts.IncludeSubDomains is not null || hsts.Preload is not null;
        if (!(hsts.Enabled ?? configured))
        {
            return null;
        }

        var maxAge = Duration.Parse(hsts.MaxAge, TimeSpan.FromDays(365), key + ":MaxAge", errors, TimeSpan.Zero);
        var includeSubDomains = hsts.IncludeSubDomains ?? false;
        if (hsts.Preload == true && (!includeSubDomains || maxAge < TimeSpan.FromDays(365)))
        {
            errors.Add(key + ":Preload", "needs IncludeSubDomains: true and a MaxAge of at least 365d, as browsers' preload lists require.");
        }

        return "max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture) +
            (includeSubDomains ? "; includeSubDomains" : string.Empty) + (hsts.Preload == true ? "; preload" : string.Empty);
    }

    private static SslProtocols Invalid(ConfigErrors errors, string key, string message)
    {
        errors.Add(key, message);
        return SslProtocols.Tls12 | SslProtocols.Tls13;
    }
}

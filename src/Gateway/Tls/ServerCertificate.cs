using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls;

/// <summary>
/// A certificate the TLS listeners can serve: the leaf with its key, the chain sent with it, and the names it is
/// valid for. Built once when loaded; handshakes only pick one.
/// </summary>
internal sealed class ServerCertificate
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private ServerCertificate(X509Certificate2 leaf, SslStreamCertificateContext context, ImmutableArray<string> names, string origin)
    {
        Leaf = leaf;
        Context = context;
        Names = names;
        Origin = origin;
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>Leaf plus intermediates, as sent in the handshake.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>DNS names (lower case), wildcards as <c>*.example.com</c>.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>Where it came from, for logs: a file path, "self-signed", "acme".</summary>
    public string Origin { get; }

    public DateTimeOffset NotBefore => Leaf.NotBefore.ToUniversalTime();

    public DateTimeOffset NotAfter => Leaf.NotAfter.ToUniversalTime();

    /// <summary>Builds the handshake context; <paramref name="leaf"/> must carry its private key.</summary>
    public static ServerCertificate Create(X509Certificate2 leaf, X509Certificate2Collection? intermediates, string origin)
    {
        if (!leaf.HasPrivateKey)
        {
            throw new ArgumentException("The certificate has no private key.", nameof(leaf));
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use ephemeral keys; a PKCS#12 round trip gives the key a home.
            leaf = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        }

        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new ServerCertificate(leaf, context, NamesOf(leaf), origin);
    }

    /// <summary>Null when the certificate may be served by a TLS server, else why not.</summary>
    public static string? CheckServerUse(X509Certificate2 leaf)
    {
        foreach (var extension in leaf.Extensions)
        {
            if (extension is X509EnhancedKeyUsageExtension usage &&
                !usage.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ServerAuthOid))
            {
                return "is not for server authentication (its extended key usage lacks serverAuth)";
            }
        }

        return NamesOf(leaf).IsEmpty ? "names no host (no DNS name in subjectAltName or CN)" : null;
    }

    /// <summary>SAN DNS names; the CN only when there is no SAN extension, as TLS clients read it.</summary>
    public static ImmutableArray<string> NamesOf(X509Certificate2 certificate)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        var hasSan = false;
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                hasSan = true;
                names.AddRange(san.EnumerateDnsNames().Select(n => n.TrimEnd('.').ToLowerInvariant()));
            }
        }

        if (!hasSan && certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } cn && !cn.Contains(' ', StringComparison.Ordinal))
        {
            names.Add(cn.ToLowerInvariant());
        }

        return names.Distinct().ToImmutableArray();
    }
}

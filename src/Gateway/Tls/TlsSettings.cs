using System.Collections.Immutable;
using System.Security.Authentication;
using Gateway.Tls.Acme;

namespace Gateway.Tls;

/// <summary>The validated <c>Gateway:Tls</c> section.</summary>
internal sealed record TlsSettings
{
    public static readonly TlsSettings None = new();

    public ImmutableArray<CertificateSource> Certificates { get; init; } = [];

    /// <summary>Certificates handed over already loaded by another configuration source (Kubernetes TLS Secrets).</summary>
    public ImmutableArray<ServerCertificate> Supplied { get; init; } = [];

    /// <summary>The entry whose (first) certificate is served when nothing matches the SNI; null: see <see cref="CertificateStore"/>.</summary>
    public string? DefaultCertificate { get; init; }

    public bool StrictSni { get; init; }

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Strict-Transport-Security value, or null when HSTS is off.</summary>
    public string? Hsts { get; init; }

    /// <summary>Names of the self-signed certificate, or empty when it is off.</summary>
    public ImmutableArray<string> SelfSignedHosts { get; init; } = [];

    public bool SelfSigned => !SelfSignedHosts.IsEmpty;

    /// <summary>The ACME client's settings; null when no route asks for an ACME certificate.</summary>
    public AcmeSettings? Acme { get; init; }
}

/// <summary>One <c>Gateway:Tls:Certificates</c> entry: a file or a directory.</summary>
internal sealed record CertificateSource(string Name, string Path, string? KeyPath, string? Password)
{
    public string Key => $"Gateway:Tls:Certificates:{Name}";
}

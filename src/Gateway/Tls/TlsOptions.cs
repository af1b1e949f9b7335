using Gateway.Tls.Acme;

namespace Gateway.Tls;

/// <summary>
/// <c>Gateway:Tls</c>: what the <c>https</c> listeners serve. HAProxy writes the same on its <c>bind</c> line:
/// <c>bind *:443 ssl crt /etc/ssl/private/ strict-sni alpn h2,http/1.1 ssl-min-ver TLSv1.2</c>.
/// </summary>
internal sealed class TlsOptions
{
    /// <summary>HAProxy's <c>crt</c>: certificate files or directories, keyed by a name of your choice.</summary>
    public Dictionary<string, CertificateFileOptions> Certificates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The certificate entry served when no certificate matches the SNI (or none is sent).</summary>
    public string? DefaultCertificate { get; set; }

    /// <summary>HAProxy's <c>strict-sni</c>: refuse the handshake when no certificate matches the SNI.</summary>
    public bool? StrictSni { get; set; }

    /// <summary>HAProxy's <c>ssl-min-ver</c>: <c>1.2</c> (default) or <c>1.3</c>.</summary>
    public string? MinVersion { get; set; }

    /// <summary>Longest wait for a client to complete the TLS handshake (ClientHello included).</summary>
    public string? HandshakeTimeout { get; set; }

    public HstsOptions Hsts { get; set; } = new();

    /// <summary>A self-signed certificate generated on first start and kept in the state directory.</summary>
    public SelfSignedOptions SelfSigned { get; set; } = new();

    /// <summary>Certificates obtained and renewed over ACME for the routes that set <c>Acme: true</c>.</summary>
    public AcmeOptions Acme { get; set; } = new();
}

/// <summary>One <c>crt</c>: a PEM or PFX file, or a directory holding several.</summary>
internal sealed class CertificateFileOptions
{
    /// <summary>
    /// A PEM file (certificate, chain and possibly the key, as HAProxy's <c>crt</c>), a PFX/PKCS#12 file, or a
    /// directory: every certificate file in it, each served for the names it carries.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>The private key in a separate PEM file (default: in the same file, or <c>&lt;file&gt;.key</c> beside it).</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PFX file or an encrypted PEM key.</summary>
    public string? Password { get; set; }
}

/// <summary><c>Strict-Transport-Security</c> on every response sent over TLS.</summary>
internal sealed class HstsOptions
{
    public bool? Enabled { get; set; }

    public string? MaxAge { get; set; }

    public bool? IncludeSubDomains { get; set; }

    public bool? Preload { get; set; }
}

internal sealed class SelfSignedOptions
{
    public bool? Enabled { get; set; }

    /// <summary>Names the certificate is for, besides localhost, 127.0.0.1 and ::1.</summary>
    public List<string> Hosts { get; set; } = [];
}

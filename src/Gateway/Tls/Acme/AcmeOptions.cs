namespace Gateway.Tls.Acme;

/// <summary>
/// <c>Gateway:Tls:Acme</c>: the ACME account and how certificates are obtained for routes that set <c>Acme: true</c>.
/// </summary>
internal sealed class AcmeOptions
{
    /// <summary><c>production</c> (Let's Encrypt, the default), <c>staging</c>, or the URL of any ACME directory.</summary>
    public string? Directory { get; set; }

    /// <summary>Contact address given to the certificate authority.</summary>
    public string? Email { get; set; }

    /// <summary>Must be true: you agree to the certificate authority's terms of service.</summary>
    public bool? AgreeToTermsOfService { get; set; }

    /// <summary>External account binding, for authorities that require one (ZeroSSL, Google, private CAs).</summary>
    public ExternalAccountOptions ExternalAccount { get; set; } = new();

    /// <summary><c>http-01</c> or <c>tls-alpn-01</c>.</summary>
    public string? Challenge { get; set; }

    /// <summary>Key of the certificates: <c>ec-p256</c> (default), <c>ec-p384</c>, <c>rsa-2048</c>, <c>rsa-3072</c>, <c>rsa-4096</c>.</summary>
    public string? KeyType { get; set; }

    /// <summary>PEM file of CAs to trust for the ACME server's own HTTPS endpoint instead of the system store.</summary>
    public string? DirectoryCaFile { get; set; }

    /// <summary>PEM file of roots that issued chains must lead to instead of the system store (staging, test CAs).</summary>
    public string? IssuerCaFile { get; set; }

    /// <summary>Wait before the first retry after a failure; it doubles with each failure, up to a day.</summary>
    public string? RetryInterval { get; set; }

    /// <summary>Hosts whose <c>/.well-known/acme-challenge/</c> requests go to a backend that obtains its own certificates.</summary>
    public Dictionary<string, AcmePassThroughOptions> PassThrough { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class ExternalAccountOptions
{
    public string? KeyId { get; set; }

    /// <summary>The MAC key, base64url as the authority hands it out.</summary>
    public string? HmacKey { get; set; }
}

/// <summary>HAProxy's <c>use_backend letsencrypt-backend-kube if acme-challenge kube</c>.</summary>
internal sealed class AcmePassThroughOptions
{
    public List<string> Hosts { get; set; } = [];

    public string? Cluster { get; set; }
}

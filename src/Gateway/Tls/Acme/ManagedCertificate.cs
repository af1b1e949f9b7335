namespace Gateway.Tls.Acme;

/// <summary>The renewal state of one ACME certificate: what is served now, and when to act next.</summary>
internal sealed class ManagedCertificate(AcmeCertificateRequest request)
{
    public AcmeCertificateRequest Request { get; } = request;

    /// <summary>The certificate being served, or null before the first issuance.</summary>
    public ServerCertificate? Current { get; set; }

    /// <summary>When to order (a renewal, the first certificate, or a retry).</summary>
    public DateTimeOffset NextAttempt { get; set; }

    /// <summary>Failures in a row; the backoff doubles with each.</summary>
    public int Failures { get; set; }

    /// <summary>When to ask the server for renewal information again (RFC 9773); null when it offers none.</summary>
    public DateTimeOffset? RenewalInfoCheck { get; set; }

    /// <summary>The RFC 9773 identifier of <see cref="Current"/>, named in the order that replaces it.</summary>
    public string? RenewalInfoId { get; set; }

    /// <summary>A certificate obtained and served, but not yet stored (the storage failed); stored again at <see cref="StoreAt"/>.</summary>
    public IssuedCertificate? Unstored { get; set; }

    public DateTimeOffset? StoreAt { get; set; }

    /// <summary>Failures in a row to store <see cref="Unstored"/>.</summary>
    public int StoreFailures { get; set; }

    public DateTimeOffset WakeAt
    {
        get
        {
            var wake = RenewalInfoCheck is { } check && check < NextAttempt ? check : NextAttempt;
            return StoreAt is { } store && store < wake ? store : wake;
        }
    }
}

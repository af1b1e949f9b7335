using System.Collections.Immutable;

namespace Gateway.Tls.Acme;

/// <summary>The validated ACME settings; present only when some route sets <c>Acme: true</c>.</summary>
internal sealed record AcmeSettings
{
    public const string Http01 = "http-01";
    public const string TlsAlpn01 = "tls-alpn-01";

    public required Uri Directory { get; init; }

    public string? Email { get; init; }

    public ExternalAccountBinding? ExternalAccount { get; init; }

    public required string Challenge { get; init; }

    public required string KeyType { get; init; }

    public string? DirectoryCaFile { get; init; }

    public string? IssuerCaFile { get; init; }

    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>One entry per certificate to obtain: the host names of ACME routes, linked when routes share a host.</summary>
    public ImmutableArray<AcmeCertificateRequest> Certificates { get; init; } = [];

    /// <summary>What identifies the account: a change here means another account (or the same key re-registered).</summary>
    public string AccountKey => $"{Directory}|{Email}|{ExternalAccount?.KeyId}";
}

/// <summary>External account binding: the key id and the (decoded) MAC key the authority handed out.</summary>
internal sealed record ExternalAccountBinding(string KeyId, ImmutableArray<byte> HmacKey);

/// <summary>One certificate: its id (the first name, used for file names) and every name it must carry.</summary>
internal sealed record AcmeCertificateRequest(string Id, ImmutableArray<string> Names)
{
    public bool SameNames(AcmeCertificateRequest other) => Names.SequenceEqual(other.Names);

    public override string ToString() => string.Join(", ", Names);
}

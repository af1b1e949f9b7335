using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Gateway.Tls;

/// <summary>
/// An immutable index of the certificates on offer, swapped whole when any of them changes. A handshake picks, for
/// its SNI: an exact name, else a wildcard one label up (<c>*.example.com</c> for <c>a.example.com</c>), else the
/// default; among several for one name, the one valid now that expires last.
/// </summary>
internal sealed class CertificateSnapshot
{
    public static readonly CertificateSnapshot Empty = Build([], null, DateTimeOffset.UtcNow);

    private readonly FrozenDictionary<string, ServerCertificate>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly FrozenDictionary<string, ServerCertificate>.AlternateLookup<ReadOnlySpan<char>> _wildcard;

    private CertificateSnapshot(
        FrozenDictionary<string, ServerCertificate> exact, FrozenDictionary<string, ServerCertificate> wildcard, ServerCertificate? defaultCertificate)
    {
        _exact = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        Default = defaultCertificate;
        Names = [.. exact.Keys.Order(StringComparer.Ordinal), .. wildcard.Keys.Order(StringComparer.Ordinal).Select(name => "*." + name)];
        Count = exact.Values.Concat(wildcard.Values).Append(defaultCertificate).OfType<ServerCertificate>().Distinct().Count();
    }

    public ServerCertificate? Default { get; }

    /// <summary>Every name a certificate is selected for, wildcards as <c>*.example.com</c>.</summary>
    public ImmutableArray<string> Names { get; }

    /// <summary>Distinct certificates in the index.</summary>
    public int Count { get; }

    public static CertificateSnapshot Build(IEnumerable<ServerCertificate> certificates, ServerCertificate? defaultCertificate, DateTimeOffset now)
    {
        var exact = new Dictionary<string, ServerCertificate>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, ServerCertificate>(StringComparer.OrdinalIgnoreCase);
        foreach (var certificate in certificates)
        {
            foreach (var name in certificate.Names)
            {
                var (index, key) = name.StartsWith("*.", StringComparison.Ordinal) ? (wildcard, name[2..]) : (exact, name);
                if (!index.TryGetValue(key, out var current) || Better(certificate, current, now))
                {
                    index[key] = certificate;
                }
            }
        }

        return new CertificateSnapshot(
            exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), wildcard.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), defaultCertificate);
    }

    /// <summary>The certificate for <paramref name="serverName"/>; with <paramref name="strict"/>, never the default.</summary>
    public ServerCertificate? Select(string? serverName, bool strict)
    {
        if (!string.IsNullOrEmpty(serverName))
        {
            var name = serverName.AsSpan().TrimEnd('.');
            if (_exact.TryGetValue(name, out var exact))
            {
                return exact;
            }

            var dot = name.IndexOf('.');
            if (dot > 0 && _wildcard.TryGetValue(name[(dot + 1)..], out var wildcard))
            {
                return wildcard;
            }
        }

        return strict ? null : Default;
    }

    private static bool Better(ServerCertificate candidate, ServerCertificate current, DateTimeOffset now)
    {
        static bool Valid(ServerCertificate c, DateTimeOffset now) => c.NotBefore <= now && now < c.NotAfter;
        var (candidateValid, currentValid) = (Valid(candidate, now), Valid(current, now));
        return candidateValid != currentValid ? candidateValid : candidate.NotAfter > current.NotAfter;
    }
}

using System.Buffers.Text;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls.Acme;

/// <summary>
/// When to renew and when to retry, as pure functions of the certificate, the server's advice and the failures so
/// far: renewal at two thirds of the lifetime, or at a point of the server's suggested window (RFC 9773); retries
/// that double from the configured interval up to a day, never sooner than the server's Retry-After.
/// </summary>
internal static class RenewalSchedule
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(1);

    /// <summary>Two thirds into the certificate's lifetime.</summary>
    public static DateTimeOffset DueAt(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        notBefore + ((notAfter - notBefore) * 2 / 3);

    /// <summary>A point in the suggested window; <paramref name="fraction"/> (0 to 1) spreads clients over it.</summary>
    public static DateTimeOffset DueAt(AcmeRenewalWindow window, double fraction) =>
        window.End <= window.Start ? window.Start : window.Start + ((window.End - window.Start) * Math.Clamp(fraction, 0, 1));

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row.</summary>
    public static TimeSpan Backoff(TimeSpan first, int failures, TimeSpan? retryAfter)
    {
        var wait = first;
        for (var i = 1; i < failures && wait < MaxBackoff; i++)
        {
            wait *= 2;
        }

        wait = wait > MaxBackoff ? MaxBackoff : wait;
        return retryAfter is { } server && server > wait ? server : wait;
    }

    /// <summary>
    /// The next attempt for a certificate that is in place: when it is due, but never sooner than
    /// <paramref name="minimumGap"/> from now, so that a server handing out very short certificates cannot make the
    /// loop spin.
    /// </summary>
    public static DateTimeOffset NextAttempt(DateTimeOffset due, DateTimeOffset now, TimeSpan minimumGap) =>
        due > now + minimumGap ? due : now + minimumGap;

    /// <summary>
    /// RFC 9773 4.1: the certificate identifier, base64url of the Authority Key Identifier's keyIdentifier, a dot,
    /// base64url of the serial number's DER content octets. Null when the certificate has no AKI key identifier.
    /// </summary>
    public static string? RenewalInfoId(X509Certificate2 certificate)
    {
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (aki?.KeyIdentifier is not { Length: > 0 } keyId)
        {
            return null;
        }

        // SerialNumberBytes is big-endian as encoded; re-encode to get DER's minimal form with its sign octet.
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true));
        var der = writer.Encode();
        var content = new AsnReader(der, AsnEncodingRules.DER).ReadIntegerBytes().ToArray();
        return Base64Url.EncodeToString(keyId.Span) + "." + Base64Url.EncodeToString(content);
    }
}

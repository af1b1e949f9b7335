using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Knock;

/// <summary>Why an id_token was refused; the names are what logs and the sign-in error page say.</summary>
internal enum IdTokenError
{
    None,
    Malformed,
    Algorithm,
    UnknownKey,
    Signature,
    Issuer,
    Audience,
    Expired,
    NotYetValid,
    Nonce,
    Subject,
}

/// <summary>What a valid id_token must say: who issued it, for whom, for which login (the nonce), with what clock slack.</summary>
internal sealed record IdTokenExpectations(string Issuer, string ClientId, string Nonce, TimeSpan ClockSkew);

/// <summary>
/// Validates an id_token (a JWS in compact form) without any identity library: signature with a key of the
/// provider's JWKS (RS256 or ES256 only; <c>none</c>, HMAC and everything else are refused), then <c>iss</c>
/// (exact), <c>aud</c> (and <c>azp</c>), <c>exp</c>/<c>nbf</c>/<c>iat</c> with the clock skew, <c>nonce</c> and <c>sub</c>.
/// </summary>
internal static class IdTokenValidator
{
    private const int MaxLength = 64 * 1024;

    /// <summary>Validates <paramref name="token"/>; on success the payload's claims come back (a detached copy).</summary>
    public static IdTokenError Validate(string token, IdTokenExpectations expected, JsonWebKeySet keys, DateTimeOffset now, out JsonElement claims)
    {
        claims = default;
        var parts = token.Split('.');
        if (token.Length > MaxLength || parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return IdTokenError.Malformed;
        }

        JsonElement header;
        byte[] signature;
        try
        {
            header = Decode(parts[0]);
            claims = Decode(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return IdTokenError.Malformed;
        }

        if (header.ValueKind != JsonValueKind.Object || claims.ValueKind != JsonValueKind.Object)
        {
            return IdTokenError.Malformed;
        }

        // Only asymmetric algorithms the provider's published keys can verify; "crit" names extensions we do not implement.
        var algorithm = Text(header, "alg");
        if (algorithm is not ("RS256" or "ES256") || header.TryGetProperty("crit", out _))
        {
            return IdTokenError.Algorithm;
        }

        var keyId = Text(header, "kid");
        var candidates = keys.Keys.Where(k => k.Fits(algorithm) && (keyId is null || k.KeyId == keyId)).ToList();
        if (candidates.Count == 0)
        {
            return IdTokenError.UnknownKey;
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!candidates.Any(k => k.Verify(algorithm, signed, signature)))
        {
            return IdTokenError.Signature;
        }

        return CheckClaims(claims, expected, now);
    }

    private static IdTokenError CheckClaims(JsonElement claims, IdTokenExpectations expected, DateTimeOffset now)
    {
        if (Text(claims, "iss") != expected.Issuer)
        {
            return IdTokenError.Issuer;
        }

        if (!claims.TryGetProperty("aud", out var audience) || !HasAudience(audience, expected.ClientId, out var several) ||
            (Text(claims, "azp") is { } azp ? azp != expected.ClientId : several))
        {
            return IdTokenError.Audience;
        }

        var skew = expected.ClockSkew;
        if (Time(claims, "exp") is not { } expires || now >= expires + skew)
        {
            return IdTokenError.Expired;
        }

        if ((Time(claims, "nbf") is { } notBefore && now + skew < notBefore) || (Time(claims, "iat") is { } issued && now + skew < issued))
        {
            return IdTokenError.NotYetValid;
        }

        if (Text(claims, "nonce") is not { } nonce ||
            !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expected.Nonce)) || expected.Nonce.Length == 0)
        {
            return IdTokenError.Nonce;
        }

        return string.IsNullOrEmpty(Text(claims, "sub")) ? IdTokenError.Subject : IdTokenError.None;
    }

    private static bool HasAudience(JsonElement audience, string clientId, out bool several)
    {
        several = false;
        if (audience.ValueKind == JsonValueKind.String)
        {
            return audience.GetString() == clientId;
        }

        if (audience.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        several = audience.GetArrayLength() > 1;
        return audience.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == clientId);
    }

    private static JsonElement Decode(string part)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(part));
        return document.RootElement.Clone();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) ||
            double.IsNaN(seconds) || seconds < 0 || seconds > 253402300799)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
    }

    /// <summary>The name logs and the error page use for a refusal.</summary>
    public static string Describe(this IdTokenError error) => error switch
    {
        IdTokenError.Malformed => "id_token-malformed",
        IdTokenError.Algorithm => "id_token-algorithm",
        IdTokenError.UnknownKey => "id_token-unknown-key",
        IdTokenError.Signature => "id_token-signature",
        IdTokenError.Issuer => "id_token-issuer",
        IdTokenError.Audience => "id_token-audience",
        IdTokenError.Expired => "id_token-expired",
        IdTokenError.NotYetValid => "id_token-not-yet-valid",
        IdTokenError.Nonce => "id_token-nonce",
        IdTokenError.Subject => "id_token-subject",
        _ => "none",
    };
}

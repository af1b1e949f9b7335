using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Tls.Acme;

/// <summary>The ACME resources (RFC 8555 7.1) as the server sends them; unknown members are ignored.</summary>
internal static class AcmeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static T Read<T>(byte[] body, string what) =>
        JsonSerializer.Deserialize<T>(body, Options) ?? throw new AcmeException($"The ACME server sent an empty {what}.");
}

internal sealed record AcmeDirectory(Uri NewNonce, Uri NewAccount, Uri NewOrder, Uri? RenewalInfo, AcmeDirectoryMeta? Meta);

internal sealed record AcmeDirectoryMeta(string? TermsOfService, bool ExternalAccountRequired);

internal sealed record AcmeIdentifier(string Type, string Value);

internal sealed record AcmeOrder(string Status, List<Uri> Authorizations, Uri Finalize, Uri? Certificate, AcmeProblem? Error);

internal sealed record AcmeAuthorization(string Status, AcmeIdentifier Identifier, List<AcmeChallenge> Challenges, bool Wildcard);

internal sealed record AcmeChallenge(string Type, Uri Url, string Status, string? Token, AcmeProblem? Error);

/// <summary>RFC 9773 4.2: the window in which the server suggests renewing a certificate.</summary>
internal sealed record AcmeRenewalInfo(AcmeRenewalWindow SuggestedWindow, string? ExplanationUrl);

internal sealed record AcmeRenewalWindow(DateTimeOffset Start, DateTimeOffset End);

/// <summary>RFC 7807 problem document, as ACME servers report errors (RFC 8555 6.7).</summary>
internal sealed record AcmeProblem(string? Type, string? Detail, int? Status, AcmeIdentifier? Identifier, List<AcmeProblem>? Subproblems)
{
    public const string BadNonce = "urn:ietf:params:acme:error:badNonce";
    public const string RateLimited = "urn:ietf:params:acme:error:rateLimited";
    public const string AccountDoesNotExist = "urn:ietf:params:acme:error:accountDoesNotExist";

    /// <summary>"type: detail", with the subproblems, short enough for one log line.</summary>
    public override string ToString()
    {
        var text = $"{Type ?? "unknown error"}: {Detail ?? "(no detail)"}";
        if (Identifier is { } identifier)
        {
            text = $"{identifier.Value}: {text}";
        }

        return Subproblems is { Count: > 0 } sub ? text + " [" + string.Join("; ", sub) + "]" : text;
    }
}

/// <summary>
/// An ACME operation failed in a way the server explained (a problem document) or the client detected (a chain that
/// does not validate, a timeout). The renewal loop logs it and retries later; <see cref="RetryAfter"/> is honoured.
/// </summary>
internal sealed class AcmeException : Exception
{
    public AcmeException(string message, AcmeProblem? problem = null, TimeSpan? retryAfter = null)
        : base(message)
    {
        Problem = problem;
        RetryAfter = retryAfter;
    }

    public AcmeProblem? Problem { get; }

    public TimeSpan? RetryAfter { get; }

    public bool IsRateLimit => Problem?.Type == AcmeProblem.RateLimited;
}

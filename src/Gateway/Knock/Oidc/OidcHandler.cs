using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Gateway.Knock;

/// <summary>A login the gateway refuses; <see cref="Reason"/> is the short name pages and logs show.</summary>
internal sealed class OidcLoginException(string reason, string detail) : Exception($"{reason}: {detail}")
{
    public string Reason { get; } = reason;
}

/// <summary>
/// OpenID Connect on ASP.NET Core's OAuth handler: the authorization code flow with PKCE (S256) and a nonce, the code
/// exchanged at the token endpoint by the base handler, and the id_token validated here (no identity library).
/// The nonce travels inside the protected <c>state</c>, which the correlation cookie binds to this browser.
/// </summary>
internal sealed class OidcHandler(IOptionsMonitor<OAuthOptions> options, ILoggerFactory loggers, UrlEncoder encoder, OidcFlow flow)
    : OAuthHandler<OAuthOptions>(options, loggers, encoder)
{
    public const string GroupClaim = "groups";
    private const string NonceKey = ".nonce";

    /// <summary>Redirects to the provider. Unlike the base class, logs neither the URL nor the correlation cookie.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        GenerateCorrelationId(properties);
        Response.StatusCode = StatusCodes.Status302Found;
        Response.Headers.Location = BuildChallengeUrl(properties, BuildRedirectUri(Options.CallbackPath));
        Response.Headers.CacheControl = "no-store";
        return Task.CompletedTask;
    }

    /// <summary>Adds a fresh nonce: stored in the properties before the base class seals them into <c>state</c>.</summary>
    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        properties.Items[NonceKey] = nonce;
        return QueryHelpers.AddQueryString(base.BuildChallengeUrl(properties, redirectUri), "nonce", nonce);
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var idToken = tokens.Response?.RootElement is { ValueKind: JsonValueKind.Object } response &&
            response.TryGetProperty("id_token", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (string.IsNullOrEmpty(idToken))
        {
            throw new OidcLoginException("no-id_token", "the token response carries no id_token; the openid scope must be asked for");
        }

        properties.Items.TryGetValue(NonceKey, out var nonce);
        properties.Items.Remove(NonceKey);
        var user = await flow.ValidateAsync(idToken, nonce ?? string.Empty, Context.RequestAborted);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Name));
        if (user.Email is { } email)
        {
            identity.AddClaim(new Claim(ClaimTypes.Email, email));
        }

        foreach (var group in user.Groups)
        {
            identity.AddClaim(new Claim(GroupClaim, group));
        }

        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, Scheme.Name);
    }
}

/// <summary>One login's view of the provider: its settings and metadata, and the id_token check against them.</summary>
internal sealed class OidcFlow(OidcSettings settings, OidcMetadata metadata, OidcDiscovery discovery, TimeProvider time)
{
    public async Task<PortalUser> ValidateAsync(string idToken, string nonce, CancellationToken cancellationToken)
    {
        var expected = new IdTokenExpectations(metadata.Issuer, settings.ClientId, nonce, settings.ClockSkew);
        var error = IdTokenValidator.Validate(idToken, expected, metadata.Keys, time.GetUtcNow(), out var claims);
        if (error is IdTokenError.UnknownKey or IdTokenError.Signature)
        {
            // Providers rotate keys (some keep the key id): read the key set again, at most every 30s, then decide.
            var refreshed = await discovery.RefreshKeysAsync(settings, metadata, cancellationToken);
            error = IdTokenValidator.Validate(idToken, expected, refreshed.Keys, time.GetUtcNow(), out claims);
        }

        if (error != IdTokenError.None)
        {
            throw new OidcLoginException(error.Describe(), "the id_token was refused");
        }

        return PortalUser.FromClaims(claims, settings)
            ?? throw new OidcLoginException("id_token-no-user", $"the id_token has neither {settings.UserClaim} nor sub");
    }
}

/// <summary>Options for a handler built by hand (the gateway does not register authentication schemes globally).</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}

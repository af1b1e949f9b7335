using System.Collections.Immutable;
using Gateway.Access;
using Gateway.Configuration;

namespace Gateway.Knock;

/// <summary>
/// Validates <c>Gateway:Knock</c> into <see cref="KnockSettings"/>, reporting every error with its key and the fix.
/// Also keeps routes off the gateway's reserved <c>/.gateway/</c> paths, and gives the reject page its portal link.
/// </summary>
internal static partial class KnockCompiler
{
    private const string Key = "Gateway:Knock";
    private const string SecretVariable = "Gateway__Knock__Oidc__ClientSecret";

    public static (KnockSettings Settings, AccessConfig Access) Compile(GatewayOptions options, AccessConfig access, string contentRoot, ConfigErrors errors)
    {
        CheckReservedPaths(options, errors);
        var knock = options.Knock;
        var oidc = CompileOidc(knock.Oidc, contentRoot, errors);
        var portal = CompilePortal(knock, oidc is not null || IsSet(knock.Oidc), options, errors);
        var applications = CompileApplications(knock, access, options, errors);
        var forwardAuth = knock.ForwardAuth.Enabled ?? false;
        if (forwardAuth && options.Access.TrustedProxies.Count == 0)
        {
            errors.Add(Key + ":ForwardAuth:Enabled", "forward-auth answers only trusted proxies; list your proxy's address under Gateway:Access:TrustedProxies.");
        }

        var settings = new KnockSettings
        {
            Oidc = oidc,
            Portal = oidc is null ? null : portal,
            Applications = oidc is null ? [] : applications,
            ForwardAuth = forwardAuth,
            RateLimits = CompileRateLimits(knock.RateLimits, errors),
        };

        if (settings.Portal is { } p && access.PortalUrl is null)
        {
            access = access with { PortalUrl = PortalLink(p, options) };
        }

        return (settings, access);
    }

    private static bool IsSet(OidcOptions oidc) =>
        oidc.Authority is not null || oidc.ClientId is not null || oidc.ClientSecret is not null || oidc.ClientSecretFile is not null;

    private static OidcSettings? CompileOidc(OidcOptions oidc, string contentRoot, ConfigErrors errors)
    {
        if (!IsSet(oidc))
        {
            return null;
        }

        const string key = Key + ":Oidc";
        var before = errors.All.Count;
        var requireHttps = oidc.RequireHttpsMetadata ?? true;
        Uri? authority = null;
        if (string.IsNullOrWhiteSpace(oidc.Authority))
        {
            errors.Add(key + ":Authority", "is required: the OpenID provider's issuer URL, such as https://login.example.com/realms/main.");
        }
        else if (!Uri.TryCreate(oidc.Authority.Trim(), UriKind.Absolute, out authority) || (authority.Scheme != "https" && authority.Scheme != "http") ||
            authority.Query.Length > 0 || authority.Fragment.Length > 0)
        {
            errors.Add(key + ":Authority", $"'{oidc.Authority}' is not an issuer URL; write the provider's https URL without query or fragment.");
        }
        else if (authority.Scheme == "http" && requireHttps)
        {
            errors.Add(key + ":Authority", $"'{oidc.Authority}' is not https; use the provider's https URL (or set {key}:RequireHttpsMetadata to false for a provider on a trusted network).");
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientId))
        {
            errors.Add(key + ":ClientId", "is required: the client id the provider gave this gateway.");
        }

        var secret = ReadSecret(oidc, contentRoot, key, errors);
        var scopes = ImmutableArray.CreateBuilder<string>();
        scopes.Add("openid");
        var configured = oidc.Scopes.Count > 0 ? oidc.Scopes : ["profile", "email"];
        for (var i = 0; i < configured.Count; i++)
        {
            var scope = configured[i]?.Trim() ?? string.Empty;
            if (scope.Length == 0 || scope.Any(c => c <= ' ' || c == '"' || c == '\\' || c > '~'))
            {
                errors.Add($"{key}:Scopes:{i}", $"'{scope}' is not a scope; scopes are single words such as profile or email.");
            }
            else if (!scopes.Contains(scope))
            {
                scopes.Add(scope);
            }
        }

        var user = ClaimName(oidc.UserClaim, "preferred_username", key + ":UserClaim", errors);
        var email = ClaimName(oidc.EmailClaim, "email", key + ":EmailClaim", errors);
        var groups = ClaimName(oidc.GroupsClaim, "groups", key + ":GroupsClaim", errors);
        var skew = Duration.Parse(oidc.ClockSkew, TimeSpan.FromMinutes(2), key + ":ClockSkew", errors, TimeSpan.Zero);
        if (skew > TimeSpan.FromMinutes(10))
        {
            errors.Add(key + ":ClockSkew", $"'{oidc.ClockSkew}' is too long; a skew of more than 10m would accept expired tokens. Fix the clocks instead.");
        }

        var refresh = Duration.Parse(oidc.MetadataRefresh, TimeSpan.FromHours(1), key + ":MetadataRefresh", errors, TimeSpan.FromMinutes(1));
        return errors.All.Count != before || authority is null
            ? null
            : new OidcSettings(authority, oidc.ClientId!.Trim(), secret!, scopes.ToImmutable(), user, email, groups, requireHttps, skew, refresh);
    }

    private static string? ReadSecret(OidcOptions oidc, string contentRoot, string key, ConfigErrors errors)
    {
        if (oidc.ClientSecret is not null && oidc.ClientSecretFile is not null)
        {
            errors.Add(key + ":ClientSecretFile", "is set together with ClientSecret; keep one of them.");
            return null;
        }

        if (oidc.ClientSecretFile is { } file)
        {
            var path = Path.GetFullPath(file, contentRoot);
            try
            {
                var secret = File.ReadAllText(path).Trim();
                if (secret.Length > 0)
                {
                    return secret;
                }

                errors.Add(key + ":ClientSecretFile", $"'{path}' is empty; put the client secret in it.");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                errors.Add(key + ":ClientSecretFile", $"'{path}' cannot be read: {e.Message}");
            }

            return null;
        }

        if (string.IsNullOrWhiteSpace(oidc.ClientSecret))
        {
            errors.Add(key + ":ClientSecret", $"is required: set ClientSecretFile to a file holding it, or the environment variable {SecretVariable}.");
            return null;
        }

        return oidc.ClientSecret.Trim();
    }

    private static string ClaimName(string? name, string fallback, string key, ConfigErrors errors)
    {
        if (name is null)
        {
            return fallback;
        }

        var trimmed = name.Trim();
        if (trimmed.Length == 0 || trimmed.Any(char.IsWhiteSpace) || trimmed.StartsWith('.') || trimmed.EndsWith('.'))
        {
            errors.Add(key, $"'{name}' is not a claim name; write it as the id_token carries it (dots reach into objects, as in realm_access.roles).");
            return fallback;
        }

        return trimmed;
    }

    private static RateLimitSettings CompileRateLimits(RateLimitsOptions limits, ConfigErrors errors)
    {
        var defaults = RateLimitSettings.Default;
        return new RateLimitSettings(
            Limit(limits.Login, defaults.Login, "Login", errors),
            Limit(limits.Allow, defaults.Allow, "Allow", errors),
            Limit(limits.Redemption, defaults.Redemption, "Redemption", errors),
            Limit(limits.ForwardAuth, defaults.ForwardAuth, "ForwardAuth", errors));

        static RateLimit Limit(RateLimitOptions options, RateLimit fallback, string name, ConfigErrors errors)
        {
            var key = $"{Key}:RateLimits:{name}";
            var limit = options.Limit ?? fallback.Limit;
            if (limit < 0)
            {
                errors.Add(key + ":Limit", $"{limit} is negative; give the requests allowed per window, or 0 for no limit.");
                limit = fallback.Limit;
            }

            return new RateLimit(limit, Duration.Parse(options.Window, fallback.Window, key + ":Window", errors, TimeSpan.FromSeconds(1)));
        }
    }

    /// <summary>Routes may not take <c>/.gateway/</c>: login, portal, forward-auth and KAT redemption live there.</summary>
    private static void CheckReservedPaths(GatewayOptions options, ConfigErrors errors)
    {
        foreach (var (id, route) in options.Routes)
        {
            foreach (var (name, path) in new[] { ("PathPrefix", route.PathPrefix), ("Path", route.Path) })
            {
                if (path is not null && KnockPaths.IsReserved(path.Split('{')[0].TrimEnd('/')))
                {
                    errors.Add($"Gateway:Routes:{id}:{name}", $"'{path}' is under {KnockPaths.Reserved}/, which is reserved for the gateway's own endpoints (login, portal, forward-auth, KAT redemption); choose another path.");
                }
            }
        }
    }
}

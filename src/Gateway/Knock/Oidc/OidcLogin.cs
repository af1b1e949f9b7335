using System.Security.Claims;
using System.Text.Encodings.Web;
using Gateway.Access;
using Gateway.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Knock;

/// <summary>
/// Runs the login: starts it (a redirect to the provider) and finishes it on the callback (code exchange, id_token
/// check, portal sign-in cookie). The OAuth handler is built per request from the current configuration and the
/// provider's metadata, not registered as an authentication scheme, so nothing of it runs for proxied traffic.
/// </summary>
internal sealed partial class OidcLogin(
    GatewayConfigManager config,
    OidcDiscovery discovery,
    OidcBackchannel backchannel,
    IDataProtectionProvider protection,
    PortalSignIn signIn,
    KnownUsers users,
    ILoggerFactory loggers,
    TimeProvider time,
    ILogger<OidcLogin> logger)
{
    private static readonly AuthenticationScheme Scheme = new("gateway-oidc", "Sign in", typeof(OidcHandler));
    private readonly PropertiesDataFormat _state = new(protection.CreateProtector("Gateway.Knock.Oidc.State.v1"));
    private volatile Built? _built;

    /// <summary>Sends the browser to the provider; after login it comes back to <paramref name="returnUrl"/> (already checked).</summary>
    public async Task ChallengeAsync(HttpContext context, OidcSettings settings, string returnUrl)
    {
        var handler = await CreateHandlerAsync(context, settings);
        Log.Started(logger, context.Features.Get<ClientAddressFeature>()?.ClientText ?? "-");
        await handler.ChallengeAsync(new AuthenticationProperties { RedirectUri = returnUrl });
    }

    /// <summary>The provider's redirect back: exchange, validate, sign in; failures get the sign-in error page.</summary>
    public async Task CallbackAsync(HttpContext context, OidcSettings settings)
    {
        var handler = await CreateHandlerAsync(context, settings);
        if (!await handler.HandleRequestAsync())
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private async Task<OidcHandler> CreateHandlerAsync(HttpContext context, OidcSettings settings)
    {
        PortalSignIn.UseForwardedScheme(context);
        var metadata = await discovery.GetAsync(settings, context.RequestAborted);
        var built = _built;
        if (built is null || !ReferenceEquals(built.Settings, settings) || !ReferenceEquals(built.Metadata, metadata))
        {
            _built = built = new Built(settings, metadata, BuildOptions(settings, metadata));
        }

        var handler = new OidcHandler(new FixedOptionsMonitor<OAuthOptions>(built.Options), loggers, UrlEncoder.Default, new OidcFlow(settings, metadata, discovery, time));
        await handler.InitializeAsync(Scheme, context);
        return handler;
    }

    private OAuthOptions BuildOptions(OidcSettings settings, OidcMetadata metadata)
    {
        var options = new OAuthOptions
        {
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            CallbackPath = KnockPaths.Callback,
            AuthorizationEndpoint = metadata.AuthorizationEndpoint.AbsoluteUri,
            TokenEndpoint = metadata.TokenEndpoint.AbsoluteUri,
            UsePkce = true,
            SaveTokens = false,
            Backchannel = backchannel.Client,
            StateDataFormat = _state,
            DataProtectionProvider = protection,
            TimeProvider = time,
            SignInScheme = "gateway-portal",
            Events = new OAuthEvents { OnTicketReceived = OnTicketReceivedAsync, OnRemoteFailure = OnRemoteFailureAsync },
        };

        // The provider redirects back with a top-level GET, which Lax cookies survive; over plain http the cookie
        // cannot be Secure (HttpClient-driven clients would drop it).
        options.CorrelationCookie.Name = "gw_oidc_correlation.";
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        foreach (var scope in settings.Scopes)
        {
            options.Scope.Add(scope);
        }

        return options;
    }

    private Task OnTicketReceivedAsync(TicketReceivedContext context)
    {
        var principal = context.Principal!;
        var user = new PortalUser(
            principal.Identity!.Name!,
            principal.FindFirst(ClaimTypes.Email)?.Value,
            [.. principal.FindAll(OidcHandler.GroupClaim).Select(c => c.Value)]);
        var current = config.Current;
        var portal = current.Knock.Portal;
        signIn.SignIn(context.HttpContext, user, portal?.SignInLifetime ?? TimeSpan.FromHours(1));
        users.Remember(user);
        Log.Succeeded(logger, user.Name, string.Join(',', user.Groups), context.HttpContext.Features.Get<ClientAddressFeature>()?.ClientText ?? "-");

        var target = context.ReturnUri is { Length: > 0 } back && ReturnUrls.IsAllowed(back, current.Access) ? back : portal?.Path ?? "/";
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = target;
        context.Response.Headers.CacheControl = "no-store";
        context.HandleResponse();
        return Task.CompletedTask;
    }

    private async Task OnRemoteFailureAsync(RemoteFailureContext context)
    {
        var reason = context.Failure switch
        {
            OidcLoginException login => login.Reason,
            { Message: var m } when m.StartsWith("Correlation failed", StringComparison.Ordinal) => "correlation",
            { Message: var m } when m.Contains("state was missing or invalid", StringComparison.Ordinal) => "state",
            { Message: var m } when m.StartsWith("OAuth token endpoint failure", StringComparison.Ordinal) => "token-endpoint",
            { Message: var m } when m.StartsWith("Access was denied", StringComparison.Ordinal) => "access-denied",
            _ => "provider-error",
        };
        Log.Failed(logger, reason, context.HttpContext.Features.Get<ClientAddressFeature>()?.ClientText ?? "-", context.Failure?.Message ?? "-");
        context.HandleResponse();
        var portal = config.Current.Knock.Portal;
        await PortalResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, portal?.Title ?? "Sign in",
            "Sign-in failed",
            "The sign-in could not be completed, so no access was granted.",
            reason,
            (KnockPaths.Login + "?return=" + Uri.EscapeDataString(portal?.Path ?? "/"), "Try again"));
    }

    private sealed record Built(OidcSettings Settings, OidcMetadata Metadata, OAuthOptions Options);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.LoginStarted, LogLevel.Debug, "Login started for client {Client}.")]
        public static partial void Started(ILogger logger, string client);

        [LoggerMessage(Observability.EventIds.LoginSucceeded, LogLevel.Information, "Login: {User} (groups {Groups}) signed in from {Client}.")]
        public static partial void Succeeded(ILogger logger, string user, string groups, string client);

        [LoggerMessage(Observability.EventIds.LoginFailed, LogLevel.Warning, "Login refused ({Reason}) for client {Client}: {Detail}.")]
        public static partial void Failed(ILogger logger, string reason, string client, string detail);
    }
}

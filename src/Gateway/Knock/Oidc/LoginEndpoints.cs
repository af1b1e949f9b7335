using Gateway.Access;
using Gateway.Configuration;

namespace Gateway.Knock;

/// <summary><c>/.gateway/login</c> (start), <c>/.gateway/oidc/callback</c> (the provider's redirect back) and <c>/.gateway/logout</c>.</summary>
internal sealed partial class LoginEndpoints(GatewayConfigManager config, OidcLogin login, PortalSignIn signIn, PortalAntiforgery antiforgery, ILogger<LoginEndpoints> logger)
{
    public async Task LoginAsync(HttpContext context)
    {
        var current = config.Current;
        if (current.Knock.Oidc is not { } oidc)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var title = current.Knock.Portal?.Title ?? "Sign in";
        var returnUrl = context.Request.Query["return"].ToString();
        if (returnUrl.Length == 0)
        {
            returnUrl = current.Knock.Portal?.Path ?? "/";
        }
        else if (!ReturnUrls.IsAllowed(returnUrl, current.Access))
        {
            await PortalResponses.WriteAsync(context, StatusCodes.Status400BadRequest, title, "Not a valid return address",
                "The address to return to after signing in is not on a host this gateway serves, so the sign-in was not started.", "return-not-allowed");
            return;
        }

        try
        {
            await login.ChallengeAsync(context, oidc, returnUrl);
        }
        catch (OidcUnavailableException)
        {
            await Unavailable(context, title);
        }
    }

    public async Task CallbackAsync(HttpContext context)
    {
        var current = config.Current;
        if (current.Knock.Oidc is not { } oidc)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            await login.CallbackAsync(context, oidc);
        }
        catch (OidcUnavailableException)
        {
            await Unavailable(context, current.Knock.Portal?.Title ?? "Sign in");
        }
    }

    public async Task LogoutAsync(HttpContext context)
    {
        var portal = config.Current.Knock.Portal;
        var title = portal?.Title ?? "Sign in";
        PortalSignIn.UseForwardedScheme(context);
        if (signIn.Read(context) is { } user)
        {
            if (!context.Request.HasFormContentType || !await antiforgery.IsValidAsync(context, user))
            {
                await PortalResponses.WriteAsync(context, StatusCodes.Status400BadRequest, title, "Form not accepted",
                    "This form was not sent from your portal page (or it is too old), so you are still signed in.", "csrf", (portal?.Path ?? "/", "Back to the portal"));
                return;
            }

            PortalSignIn.SignOut(context);
            Log.LoggedOut(logger, user.Name);
        }

        await PortalResponses.WriteAsync(context, StatusCodes.Status200OK, title, "Signed out",
            "You are signed out of the portal. Addresses you allowed stay allowed until they expire or you revoke them.", null,
            (portal?.Path ?? "/", "Sign in again"));
    }

    private static Task Unavailable(HttpContext context, string title) =>
        PortalResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, title, "Sign-in unavailable",
            "The sign-in provider cannot be reached right now. Try again in a minute.", "provider-unreachable");

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.LoggedOut, LogLevel.Information, "Portal: {User} signed out.")]
        public static partial void LoggedOut(ILogger logger, string user);
    }
}

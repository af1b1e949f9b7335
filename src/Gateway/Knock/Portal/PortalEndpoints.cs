using Gateway.Access;
using Gateway.Configuration;
using Gateway.State;
using Microsoft.AspNetCore.Http.Extensions;

namespace Gateway.Knock;

/// <summary>
/// The portal: the page (signed-in users see the applications their groups may open), and its two forms, "Allow my
/// IP" (grant + KAT + off to the application) and "Revoke". Forms need the signed-in user and a valid CSRF token.
/// </summary>
internal sealed partial class PortalEndpoints(
    GatewayConfigManager config,
    AccessState state,
    PortalSignIn signIn,
    PortalAntiforgery antiforgery,
    PortalGrants grants,
    ILogger<PortalEndpoints> logger)
{
    public async Task ShowAsync(HttpContext context)
    {
        var current = config.Current;
        if (current.Knock.Portal is not { } portal)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        PortalSignIn.UseForwardedScheme(context);
        var returnUrl = context.Request.Query["return"].ToString();
        if (returnUrl.Length > 0 && !ReturnUrls.IsAllowed(returnUrl, current.Access))
        {
            await PortalResponses.WriteAsync(context, StatusCodes.Status400BadRequest, portal.Title, "Not a valid return address",
                "The address to return to is not on a host this gateway serves, so the portal will not send you there.", "return-not-allowed");
            return;
        }

        if (signIn.Read(context) is not { } user)
        {
            var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect(KnockPaths.Login + "?return=" + Uri.EscapeDataString(here));
            context.Response.Headers.CacheControl = "no-store";
            return;
        }

        var client = Client(context);
        var applications = new List<ApplicationView>();
        foreach (var app in current.Knock.Applications.Where(a => a.AllowsAny(user.Groups)))
        {
            if (state.TryGetList(app.ListName, out var list))
            {
                var mine = grants.Of(user.Name, list);
                applications.Add(new ApplicationView(app, mine, mine.FirstOrDefault(g => g.Address == client.ClientText)));
            }
        }

        var revoked = context.Request.Query["revoked"].ToString();
        var notice = current.Knock.Applications.FirstOrDefault(a => a.Name == revoked) is { } gone ? $"Your access to {gone.Title} was revoked." : null;
        var token = antiforgery.Issue(context, user);
        var view = new PortalView(portal, user, client.ClientText, token, returnUrl.Length > 0 ? returnUrl : null, notice, applications);
        await PortalResponses.SendAsync(context, StatusCodes.Status200OK, PortalPage.Render(view));
    }

    public async Task AllowAsync(HttpContext context)
    {
        if (await ReadFormAsync(context) is not { } checkedForm)
        {
            return;
        }

        var (portal, user, app, form) = checkedForm;
        var current = config.Current;
        if (!app.AllowsAny(user.Groups))
        {
            Log.Refused(logger, user.Name, app.Name, string.Join(',', user.Groups));
            await PortalResponses.WriteAsync(context, StatusCodes.Status403Forbidden, portal.Title, "Not allowed",
                $"Your groups do not give you access to {app.Title}. Ask your administrator if you need it.", "not-in-group");
            return;
        }

        if (!state.TryGetList(app.ListName, out var list))
        {
            await PortalResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, portal.Title, "Not available", $"{app.Title} cannot be opened right now.", "list-unavailable");
            return;
        }

        var client = Client(context);
        Grant grant;
        string location;
        try
        {
            grant = await grants.AllowAsync(user, list, client.Client, portal.MaxTtl, context.RequestAborted);
            var target = Target(context, app, form["return"].ToString(), current.Access);
            location = app.IssuesKat
                ? await grants.IssueRedemptionUrlAsync(user, list, client.Client, target, current.Access, context.RequestAborted)
                : target.ToString();
        }
        catch (StoreUnavailableException e)
        {
            await StoreUnavailableAsync(context, portal, user, "allow", list.Name, e);
            return;
        }

        Log.Allowed(logger, user.Name, grant.Address, list.Name, grant.ExpiresAt?.ToString("O") ?? "removed", app.IssuesKat);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = "no-store";
    }

    public async Task RevokeAsync(HttpContext context)
    {
        if (await ReadFormAsync(context) is not { } checkedForm)
        {
            return;
        }

        var (portal, user, app, _) = checkedForm;
        // No group check: whoever holds a grant may always give it up.
        if (state.TryGetList(app.ListName, out var list))
        {
            try
            {
                var removed = await grants.RevokeAsync(user, list, context.RequestAborted);
                Log.Revoked(logger, user.Name, list.Name, removed);
            }
            catch (StoreUnavailableException e)
            {
                await StoreUnavailableAsync(context, portal, user, "revoke", list.Name, e);
                return;
            }
        }

        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = portal.Path + "?revoked=" + Uri.EscapeDataString(app.Name);
        context.Response.Headers.CacheControl = "no-store";
    }

    /// <summary>The checks every form passes: portal on, signed in, valid CSRF token, a known application.</summary>
    private async Task<(PortalSettings, PortalUser, PortalApplication, IFormCollection)?> ReadFormAsync(HttpContext context)
    {
        var knock = config.Current.Knock;
        if (knock.Portal is not { } portal)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return null;
        }

        PortalSignIn.UseForwardedScheme(context);
        if (signIn.Read(context) is not { } user)
        {
            await PortalResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, portal.Title, "Signed out",
                "Your sign-in has ended, so nothing was changed. Sign in again and retry.", "not-signed-in", (portal.Path, "Sign in"));
            return null;
        }

        if (!context.Request.HasFormContentType || !await antiforgery.IsValidAsync(context, user))
        {
            Log.FormRejected(logger, user.Name, context.Request.Path.Value ?? "-");
            await PortalResponses.WriteAsync(context, StatusCodes.Status400BadRequest, portal.Title, "Form not accepted",
                "This form was not sent from your portal page (or it is too old), so nothing was changed. Reload the portal and try again.", "csrf", (portal.Path, "Back to the portal"));
            return null;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var name = form["app"].ToString();
        if (knock.Applications.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is not { } app)
        {
            await PortalResponses.WriteAsync(context, StatusCodes.Status404NotFound, portal.Title, "Unknown application", "There is no such application here.", "unknown-application", (portal.Path, "Back to the portal"));
            return null;
        }

        return (portal, user, app, form);
    }

    /// <summary>Where the user goes: the return URL when it is on the application's own host and port, else the application's URL.</summary>
    private static Uri Target(HttpContext context, PortalApplication app, string returnUrl, AccessConfig access)
    {
        if (returnUrl.Length > 0 && ReturnUrls.IsAllowed(returnUrl, access) &&
            Uri.TryCreate(new Uri(context.Request.GetEncodedUrl()), returnUrl, out var back) &&
            string.Equals(back.GetLeftPart(UriPartial.Authority), app.Url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
        {
            return back;
        }

        return app.Url;
    }

    private async Task StoreUnavailableAsync(HttpContext context, PortalSettings portal, PortalUser user, string action, string list, StoreUnavailableException e)
    {
        Log.StoreUnavailable(logger, user.Name, action, list, e.Message);
        await PortalResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, portal.Title, "Not available",
            "Your change cannot be recorded right now, so it may not have taken effect. Please try again in a minute.", "state-unavailable", (portal.Path, "Back to the portal"));
    }

    private static ClientAddressFeature Client(HttpContext context) =>
        context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.PortalAllowed, LogLevel.Information, "Portal: {User} allowed {Address} on list {List} until {Until} (KAT issued: {Kat}).")]
        public static partial void Allowed(ILogger logger, string user, string address, string list, string until, bool kat);

        [LoggerMessage(Observability.EventIds.PortalRevoked, LogLevel.Information, "Portal: {User} revoked {Count} grant(s) on list {List} and their sessions on it.")]
        public static partial void Revoked(ILogger logger, string user, string list, int count);

        [LoggerMessage(Observability.EventIds.PortalRefused, LogLevel.Information, "Portal: {User} (groups {Groups}) may not use application {Application}.")]
        public static partial void Refused(ILogger logger, string user, string application, string groups);

        [LoggerMessage(Observability.EventIds.PortalFormRejected, LogLevel.Warning, "Portal: a form for {User} to {Path} had no valid CSRF token; nothing changed.")]
        public static partial void FormRejected(ILogger logger, string user, string path);

        [LoggerMessage(Observability.EventIds.PortalStoreUnavailable, LogLevel.Warning, "Portal: {Action} by {User} on list {List} not recorded, the access store is unavailable: {Reason}")]
        public static partial void StoreUnavailable(ILogger logger, string user, string action, string list, string reason);
    }
}

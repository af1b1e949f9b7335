using Gateway.Access.Sessions;
using Gateway.Access.Tokens;
using Gateway.State;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Access;

/// <summary>
/// Exchanges a KAT for a session cookie: from <c>?kat=</c> on a protected route (then a 302 to the same URL without
/// the token, so it stays out of history, logs and Referer), or from a POST to <c>/.gateway/kat</c>.
/// </summary>
internal sealed partial class KatRedemption(
    AccessState state, AccessWriter writer, SessionCookies cookies, AccessMetrics metrics, ILogger<KatRedemption> logger)
{
    public const string EndpointPath = "/.gateway/kat";

    /// <summary>True when the query string has the token parameter (checked without allocating).</summary>
    public static bool CarriesToken(HttpRequest request, string parameter)
    {
        var query = request.QueryString.Value.AsSpan();
        for (var at = query.IndexOf(parameter, StringComparison.Ordinal); at >= 0; at = Next(query, parameter, at))
        {
            var before = at == 0 ? '?' : query[at - 1];
            var after = at + parameter.Length < query.Length ? query[at + parameter.Length] : '\0';
            if (before is '?' or '&' && after == '=')
            {
                return true;
            }
        }

        return false;

        static int Next(ReadOnlySpan<char> query, string parameter, int at)
        {
            var next = query[(at + 1)..].IndexOf(parameter, StringComparison.Ordinal);
            return next < 0 ? -1 : at + 1 + next;
        }
    }

    public async Task RedeemFromQueryAsync(
        HttpContext context, RoutePolicy policy, ClientAddressFeature client, bool https, AccessConfig access,
        Func<HttpContext, RoutePolicy, AccessReason, Task> reject)
    {
        var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
        var token = query[access.TokenQueryParameter].ToString();
        var remaining = new QueryBuilder(query.Where(p => !p.Key.Equals(access.TokenQueryParameter, StringComparison.Ordinal)));

        if (!state.TryGetMap(policy.ListName, out var map))
        {
            metrics.RedemptionFailed(policy.ListName, AccessReason.TokenUnknown);
            await reject(context, policy, AccessReason.TokenUnknown);
            return;
        }

        var (session, reason) = await TryRedeemAsync(map, token, client, access, policy.RouteId, context.RequestAborted);
        if (session is null)
        {
            Log.Refused(logger, policy.RouteId, client.ClientText, policy.ListName, reason.Name());
            await reject(context, policy, reason);
            return;
        }

        Log.Redeemed(logger, policy.RouteId, client.ClientText, policy.ListName, session.User ?? "-");
        SetCookie(context.Response, access.CookieName, session, https);
        context.Features.Set(policy.Decision(AccessReason.Allowed));
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Location = context.Request.PathBase + context.Request.Path + remaining.ToQueryString().ToString();
    }

    /// <summary>POST /.gateway/kat with form fields <c>kat</c> and an optional <c>return</c> URL.</summary>
    public async Task<IResult> RedeemFromFormAsync(HttpContext context, AccessConfig access)
    {
        if (!context.Request.HasFormContentType)
        {
            return Results.Text("Send the token as a form field named kat.\n", statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["kat"].ToString();
        var returnUrl = form["return"].ToString();
        if (returnUrl.Length > 0 && !ReturnUrls.IsAllowed(returnUrl, access))
        {
            return Results.Text("The return URL is not on a host this gateway serves.\n", statusCode: StatusCodes.Status400BadRequest);
        }

        var client = context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress);
        var hash = Tokens.TokenHash.Of(token);
        var map = state.Maps.FirstOrDefault(m => m.TryGet(hash, out _));
        if (token.Length == 0 || map is null)
        {
            metrics.RedemptionFailed(null, AccessReason.TokenUnknown);
            Log.Refused(logger, EndpointPath, client.ClientText, "-", AccessReason.TokenUnknown.Name());
            return Results.Text("This access token is not valid: it was already used, has expired, or never existed.\n", statusCode: StatusCodes.Status403Forbidden);
        }

        var (session, reason) = await TryRedeemAsync(map, token, client, access, EndpointPath, context.RequestAborted);
        if (reason == AccessReason.StateUnavailable)
        {
            Log.Refused(logger, EndpointPath, client.ClientText, map.ListName, reason.Name());
            return Results.Text("The token cannot be redeemed right now: the gateway cannot record sessions. It was not used; try again shortly.\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (session is null)
        {
            Log.Refused(logger, EndpointPath, client.ClientText, map.ListName, reason.Name());
            return Results.Text($"This access token is not valid ({reason.Name()}).\n", statusCode: StatusCodes.Status403Forbidden);
        }

        Log.Redeemed(logger, EndpointPath, client.ClientText, map.ListName, session.User ?? "-");
        SetCookie(context.Response, access.CookieName, session, AccessMiddleware.IsHttps(context, client));
        context.Response.Headers.CacheControl = "no-store";
        return Results.Redirect(returnUrl.Length > 0 ? returnUrl : "/", permanent: false, preserveMethod: false);
    }

    /// <summary>
    /// Redeems through the store, and counts the outcome; a store that cannot record the session leaves the token
    /// unused and the answer is <see cref="AccessReason.StateUnavailable"/> rather than an error page.
    /// </summary>
    private async Task<(Session? Session, AccessReason Reason)> TryRedeemAsync(
        TokenMap map, string token, ClientAddressFeature client, AccessConfig access, string where, CancellationToken cancellationToken)
    {
        (Session? Session, AccessReason Reason) outcome;
        try
        {
            outcome = await writer.RedeemAsync(
                map, token.AsMemory(), client.Client, access.SessionLifetime, access.SessionIdleTimeout, "kat:" + client.ClientText, cancellationToken);
        }
        catch (StoreUnavailableException e)
        {
            Log.StoreUnavailable(logger, where, client.ClientText, map.ListName, e.Message);
            outcome = (null, AccessReason.StateUnavailable);
        }

        if (outcome.Session is null)
        {
            metrics.RedemptionFailed(map.ListName, outcome.Reason);
        }
        else
        {
            metrics.Redeemed(map.ListName);
        }

        return outcome;
    }

    private void SetCookie(HttpResponse response, string prefix, Session session, bool https) =>
        response.Cookies.Append(SessionCookies.Name(prefix, session.ListName, https), cookies.Seal(session), new CookieOptions
        {
            Path = "/",
            HttpOnly = true,
            Secure = https,
            SameSite = SameSiteMode.Lax,
            Expires = session.ExpiresAt,
        });

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.KatRedeemed, LogLevel.Information, "KAT redeemed on {Route} by client {Client} for list {List}, user {User}.")]
        public static partial void Redeemed(ILogger logger, string route, string client, string list, string user);

        [LoggerMessage(Observability.EventIds.KatRefused, LogLevel.Information, "KAT refused on {Route} for client {Client}, list {List}: {Reason}.")]
        public static partial void Refused(ILogger logger, string route, string client, string list, string reason);

        [LoggerMessage(Observability.EventIds.KatStoreUnavailable, LogLevel.Warning, "KAT redemption on {Route} by client {Client} for list {List} not recorded, the token stays unused: {Reason}")]
        public static partial void StoreUnavailable(ILogger logger, string route, string client, string list, string reason);
    }
}

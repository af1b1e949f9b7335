using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Gateway.Configuration;

namespace Gateway.Knock;

/// <summary>
/// <c>/.gateway/auth</c>: another proxy (nginx <c>auth_request</c>, Traefik ForwardAuth, Caddy <c>forward_auth</c>)
/// asks whether a request may pass. Only trusted proxies are answered; the original method, host and URI come from
/// their headers, the client from their <c>X-Forwarded-For</c>, the session from the Cookie header they pass on.
/// The matching route's policy decides: 200 with <c>X-Auth-Request-User</c>/<c>-Email</c>/<c>-Groups</c>, 401 when a
/// session is missing or no longer valid, 403 otherwise. Nothing turns into a 5xx: what cannot be decided is denied.
/// </summary>
internal sealed partial class ForwardAuthEndpoint(
    GatewayConfigManager config,
    AccessState state,
    SessionCookies cookies,
    ForwardAuthRoutes routes,
    KnownUsers users,
    TimeProvider time,
    ILogger<ForwardAuthEndpoint> logger)
{
    public Task HandleAsync(HttpContext context)
    {
        try
        {
            Decide(context);
        }
        catch (Exception e)
        {
            // A decision that fails is a denial, never an error page the proxy would pass on as a 5xx.
            Log.Failed(logger, e.GetType().Name, e.Message);
            Deny(context, StatusCodes.Status403Forbidden, "error");
        }

        return Task.CompletedTask;
    }

    private void Decide(HttpContext context)
    {
        var current = config.Current;
        if (!current.Knock.ForwardAuth)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        var client = context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress);
        if (!ClientIpResolver.IsTrusted(client.Peer, current.Access))
        {
            Denied(context, client, "-", StatusCodes.Status403Forbidden, "untrusted-caller");
            return;
        }

        if (OriginalRequest.Read(context.Request.Headers) is not { } original)
        {
            Denied(context, client, "-", StatusCodes.Status403Forbidden, "no-original-request");
            return;
        }

        if (routes.Find(original) is not { } route)
        {
            Denied(context, client, original.Host + original.Path, StatusCodes.Status403Forbidden, "no-route");
            return;
        }

        if (!current.Access.RoutePolicies.TryGetValue(route.Id, out var policy))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var cookie = cookies.Read(context.Request, original.Https ? policy.SecureCookieName : policy.CookieName);
        state.TryGetList(policy.ListName, out var list);
        var now = time.GetUtcNow();
        var reason = AccessEvaluator.Evaluate(policy, list, client.ClientKey, cookie, state.Sessions, now.UtcTicks, out var session);
        if (reason != AccessReason.Allowed)
        {
            var status = reason is AccessReason.NoSession or AccessReason.BadCookie or AccessReason.SessionUnknown or AccessReason.SessionExpired
                ? StatusCodes.Status401Unauthorized
                : StatusCodes.Status403Forbidden;
            Denied(context, client, original.Host + original.Path, status, reason.Name(), route.Id);
            return;
        }

        var user = session?.User ?? SoleHolder(list, client.ClientKey, now);
        if (user is not null)
        {
            var headers = context.Response.Headers;
            headers["X-Auth-Request-User"] = user;
            if (users.Find(user) is { } known)
            {
                if (known.Email is { } email)
                {
                    headers["X-Auth-Request-Email"] = email;
                }

                if (!known.Groups.IsEmpty)
                {
                    headers["X-Auth-Request-Groups"] = string.Join(',', known.Groups);
                }
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>For an IP-only decision: the user whose grant lets the address in, when exactly one user holds one.</summary>
    private static string? SoleHolder(AccessList? list, IpKey client, DateTimeOffset now)
    {
        string? holder = null;
        foreach (var entry in list?.Entries ?? [])
        {
            if (entry.Owner is { } owner && entry.IsLiveAt(now) && entry.Parsed.Matches(client))
            {
                if (holder is not null && holder != owner)
                {
                    return null;
                }

                holder = owner;
            }
        }

        return holder;
    }

    private void Denied(HttpContext context, ClientAddressFeature client, string target, int status, string reason, string route = "-")
    {
        Log.Denied(logger, client.ClientText, client.Peer.ToString(), target, route, status, reason);
        Deny(context, status, reason);
    }

    private static void Deny(HttpContext context, int status, string reason)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Gateway-Reject-Reason"] = reason;
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.ForwardAuthDenied, LogLevel.Information,
            "Forward-auth denied {Target} (route {Route}) for client {Client} via {Peer}: {Status} {Reason}.")]
        public static partial void Denied(ILogger logger, string client, string peer, string target, string route, int status, string reason);

        [LoggerMessage(Observability.EventIds.ForwardAuthFailed, LogLevel.Error, "Forward-auth could not decide ({Error}: {Message}); denied.")]
        public static partial void Failed(ILogger logger, string error, string message);
    }
}

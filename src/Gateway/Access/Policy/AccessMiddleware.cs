using Gateway.Access.Sessions;
using Gateway.Configuration;
using Gateway.State;

namespace Gateway.Access;

/// <summary>
/// The access policy step of the proxy pipeline: find the route's policy, redeem a KAT if the URL carries one,
/// decide, record the decision, and either let the request through or carry out the route's reject action.
/// The allow path takes no lock and allocates nothing.
/// </summary>
internal sealed partial class AccessMiddleware(
    RequestDelegate next,
    GatewayConfigManager config,
    AccessState state,
    IAccessStore store,
    SessionCookies cookies,
    KatRedemption redemption,
    RejectResponder rejecter,
    TimeProvider time,
    ILogger<AccessMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var access = config.Current.Access;
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        if (!access.RoutePolicies.TryGetValue(routeId, out var policy))
        {
            context.Features.Set(AccessDecision.NoPolicy);
            return next(context);
        }

        if (store.IsStale)
        {
            // Revocations may have happened that this replica cannot see: refuse rather than decide on old data.
            return RejectAsync(context, policy, AccessReason.StateUnavailable);
        }

        var client = context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress);
        var https = IsHttps(context, client);
        if ((policy.Mode & PolicyMode.Kat) != 0 && KatRedemption.CarriesToken(context.Request, access.TokenQueryParameter))
        {
            return redemption.RedeemFromQueryAsync(context, policy, client, https, access, RejectAsync);
        }

        var cookie = cookies.Read(context.Request, https ? policy.SecureCookieName : policy.CookieName);
        state.TryGetList(policy.ListName, out var list);
        var reason = AccessEvaluator.Evaluate(policy, list, client.ClientKey, cookie, state.Sessions, time.GetUtcNow().UtcTicks, out var session);
        context.Features.Set(policy.Decision(reason));
        if (reason == AccessReason.Allowed)
        {
            if (session is not null)
            {
                context.Features.Set(session);
            }

            return next(context);
        }

        return RejectAsync(context, policy, reason);
    }

    internal static bool IsHttps(HttpContext context, ClientAddressFeature client) =>
        context.Request.IsHttps ||
        (client.ViaTrustedProxy && string.Equals(context.Request.Headers["X-Forwarded-Proto"], "https", StringComparison.OrdinalIgnoreCase));

    private async Task RejectAsync(HttpContext context, RoutePolicy policy, AccessReason reason)
    {
        var client = context.Features.Get<ClientAddressFeature>();
        context.Features.Set(policy.Decision(reason));
        Log.Rejected(logger, policy.RouteId, client?.ClientText ?? "-", client?.Peer.ToString() ?? "-", policy.ListName, reason.Name(), policy.Reject.Kind.ToString().ToLowerInvariant());
        if (!await rejecter.RejectAsync(context, policy, reason, config.Current.Access))
        {
            await next(context);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AccessRejected, LogLevel.Information,
            "Access refused on route {Route} for client {Client} (peer {Peer}), list {List}: {Reason}; action {Action}.")]
        public static partial void Rejected(ILogger logger, string route, string client, string peer, string list, string reason, string action);
    }
}

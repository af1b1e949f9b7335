using Gateway.Configuration;

namespace Gateway.Access;

/// <summary>
/// Settles each request's client IP before anything else looks at it. Direct clients keep the per-connection
/// <see cref="ClientAddressFeature"/>; a request from a trusted proxy gets one read from its forwarding header.
/// </summary>
internal sealed class ClientIpMiddleware(RequestDelegate next, GatewayConfigManager config)
{
    public Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<ClientAddressFeature>();
        if (feature is null)
        {
            feature = ClientAddressFeature.Direct(context.Connection.RemoteIpAddress);
            context.Features.Set(feature);
        }

        var access = config.Current.Access;
        if (!access.TrustedProxies.IsEmpty && ClientIpResolver.IsTrusted(feature.Peer, access))
        {
            var client = ClientIpResolver.Resolve(feature.Peer, context.Request.Headers, access);
            context.Features.Set(ClientAddressFeature.Forwarded(feature.Peer, client));
        }

        return next(context);
    }
}

using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Access;

/// <summary>
/// What backends learn about the client (HAProxy's <c>option forwardfor</c>): <c>X-Forwarded-For</c>,
/// <c>-Proto</c> and <c>-Host</c>. From a trusted proxy the chain is kept and the proxy appended; from anyone else
/// whatever the client sent is replaced, and spoofable extras (<c>Forwarded</c>, <c>X-Real-IP</c>, our own
/// <c>X-Gateway-*</c>) are dropped. A fallback reject adds <c>X-Gateway-Reject</c> here.
/// </summary>
internal sealed class ForwardedHeadersTransform : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.AddRequestTransform(Transform);

    private static ValueTask Transform(RequestTransformContext context)
    {
        var http = context.HttpContext;
        var client = http.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(http.Connection.RemoteIpAddress);
        var forwardedFor = RequestTransform.TakeHeader(context, "X-Forwarded-For");
        var forwardedProto = RequestTransform.TakeHeader(context, "X-Forwarded-Proto");
        var forwardedHost = RequestTransform.TakeHeader(context, "X-Forwarded-Host");
        RequestTransform.RemoveHeader(context, "Forwarded");
        RequestTransform.RemoveHeader(context, "X-Real-IP");
        RequestTransform.RemoveHeader(context, "X-Gateway-Reject");
        RequestTransform.RemoveHeader(context, "X-Gateway-Reject-Reason");

        if (client.ViaTrustedProxy && forwardedFor.Count > 0)
        {
            RequestTransform.AddHeader(context, "X-Forwarded-For", forwardedFor.ToString() + ", " + client.Peer);
            RequestTransform.AddHeader(context, "X-Forwarded-Proto", forwardedProto.Count > 0 ? forwardedProto : http.Request.Scheme);
            RequestTransform.AddHeader(context, "X-Forwarded-Host", forwardedHost.Count > 0 ? forwardedHost : http.Request.Host.Value ?? string.Empty);
        }
        else
        {
            RequestTransform.AddHeader(context, "X-Forwarded-For", client.ClientText);
            RequestTransform.AddHeader(context, "X-Forwarded-Proto", http.Request.Scheme);
            RequestTransform.AddHeader(context, "X-Forwarded-Host", http.Request.Host.Value ?? string.Empty);
        }

        if (http.Features.Get<AccessDecision>() is { Allowed: false } rejected)
        {
            RequestTransform.AddHeader(context, "X-Gateway-Reject", rejected.Reason.Check());
            RequestTransform.AddHeader(context, "X-Gateway-Reject-Reason", rejected.Reason.Name());
        }

        return ValueTask.CompletedTask;
    }
}

using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.Tls;

/// <summary>
/// Adds <c>Strict-Transport-Security</c> to every response sent over TLS on a public listener when HSTS is on,
/// replacing any value a backend sent (HAProxy's <c>http-response set-header Strict-Transport-Security</c>).
/// </summary>
internal sealed class HstsMiddleware(RequestDelegate next, GatewayConfigManager config)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps && config.Current.Tls.Hsts is { } value &&
            context.Features.Get<ListenerFeature>()?.Listener.Kind == ListenerKind.Public)
        {
            context.Response.OnStarting(
                static state =>
                {
                    var (response, hsts) = ((HttpResponse, string))state;
                    response.Headers.StrictTransportSecurity = hsts;
                    return Task.CompletedTask;
                },
                (context.Response, value));
        }

        return next(context);
    }
}

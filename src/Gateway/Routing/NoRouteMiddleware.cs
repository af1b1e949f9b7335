using Gateway.Configuration;

namespace Gateway.Routing;

/// <summary>
/// Answers requests that no endpoint matched: 404 by default, or the status and page of <c>Gateway:Fallback</c>
/// (HAProxy's <c>default_backend</c> answering 503). Runs after endpoint selection and before endpoint execution.
/// </summary>
internal sealed partial class NoRouteMiddleware(RequestDelegate next, GatewayConfigManager config, ILogger<NoRouteMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            return next(context);
        }

        Log.NoRoute(logger, context.Request.Method, context.Request.Host.Value ?? string.Empty, context.Request.Path.Value ?? "/");
        var publicListener = context.Features.Get<Hosting.ListenerFeature>()?.Listener.Kind == Hosting.ListenerKind.Public;
        var answer = publicListener ? config.Current.NoRoute : NoRouteResponse.Default;
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        context.Response.ContentLength = answer.Body.Length;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(answer.Body).AsTask();
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.NoRoute, LogLevel.Debug, "No route for {Method} {Host}{Path}.")]
        public static partial void NoRoute(ILogger logger, string method, string host, string path);
    }
}

using System.Text;

namespace Gateway.Routing;

/// <summary>
/// Answers requests that no endpoint matched with a plain 404 (HAProxy's 503 "no server" comes from the access
/// policy's reject actions, not from here). Runs after endpoint selection and before endpoint execution.
/// </summary>
internal sealed partial class NoRouteMiddleware(RequestDelegate next, ILogger<NoRouteMiddleware> logger)
{
    private static readonly byte[] Body = Encoding.ASCII.GetBytes("404 Not Found: no route matches this host and path.\n");

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            return next(context);
        }

        Log.NoRoute(logger, context.Request.Method, context.Request.Host.Value ?? string.Empty, context.Request.Path.Value ?? "/");
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = Body.Length;
        return context.Response.Body.WriteAsync(Body).AsTask();
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.NoRoute, LogLevel.Debug, "No route for {Method} {Host}{Path}.")]
        public static partial void NoRoute(ILogger logger, string method, string host, string path);
    }
}

using Gateway.Hosting;

namespace Gateway.Tls.Acme;

/// <summary>
/// Answers http-01 validations on the public listeners: <c>GET /.well-known/acme-challenge/&lt;token&gt;</c> gets the
/// key authorization, but only for a token the ACME client issued and is still validating. Any other request on that
/// path goes on to routing, where a pass-through route may send it to a backend that runs its own ACME client.
/// </summary>
internal sealed partial class AcmeChallengeMiddleware(RequestDelegate next, AcmeChallengeResponder responder, ILogger<AcmeChallengeMiddleware> logger)
{
    public static readonly PathString PathPrefix = "/.well-known/acme-challenge";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) &&
            request.Path.StartsWithSegments(PathPrefix, StringComparison.Ordinal, out var rest) &&
            rest.Value is { Length: > 1 } token && token.IndexOf('/', 1) < 0 &&
            context.Features.Get<ListenerFeature>()?.Listener.Kind == ListenerKind.Public)
        {
            return AnswerAsync(context, token[1..]);
        }

        return next(context);
    }

    private async Task AnswerAsync(HttpContext context, string token)
    {
        var request = context.Request;
        if (await responder.FindHttp01Async(token, context.RequestAborted) is not { } keyAuthorization)
        {
            await next(context);
            return;
        }

        Log.Answered(logger, request.Host.Value ?? string.Empty, context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = keyAuthorization.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await context.Response.WriteAsync(keyAuthorization);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AcmeHttp01Served, LogLevel.Debug, "Answered an http-01 validation for {Host} from {Peer}.")]
        public static partial void Answered(ILogger logger, string host, string peer);
    }
}

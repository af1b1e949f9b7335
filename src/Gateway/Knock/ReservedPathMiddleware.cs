using Gateway.Hosting;

namespace Gateway.Knock;

/// <summary>
/// <c>/.gateway/</c> belongs to the gateway: a request there that no gateway endpoint answers is not proxied (not
/// even by a catch-all route) but left unrouted, so it gets the 404 (or the fallback status page).
/// </summary>
internal sealed class ReservedPathMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(KnockPaths.Reserved, StringComparison.OrdinalIgnoreCase) &&
            context.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<ListenerScopeMetadata>() is null)
        {
            context.SetEndpoint(null);
        }

        return next(context);
    }
}

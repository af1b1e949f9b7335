using Gateway.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Observability;

/// <summary>
/// First in the pipeline on public listeners: starts the request's <see cref="AccessLogEntry"/>, counts the bytes of
/// both bodies, and when the response is done records the request's facts, its metrics, and queues its log line.
/// Management and demo traffic (probes, scrapes) is neither logged nor counted here.
/// </summary>
internal sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, GatewayMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var listener = context.Features.Get<ListenerFeature>()?.Listener;
        return listener is { Kind: ListenerKind.Public } ? LogAsync(context, listener) : next(context);
    }

    private async Task LogAsync(HttpContext context, ListenerDefinition listener)
    {
        var entry = new AccessLogEntry(AccessLogKind.Http);
        AccessLogFields.OnRequestStarted(context, listener, entry);

        var responseBody = new CountingResponseBodyFeature(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(responseBody);
        CountingRequestStream? requestBody = null;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            requestBody = new CountingRequestStream(context.Request.Body);
            context.Request.Body = requestBody;
        }

        AccessLogEntry.Current = entry;
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            // The server answers 500 when nothing was sent yet; the exception itself is logged by the host.
            failed = true;
            throw;
        }
        finally
        {
            entry.BytesOut = responseBody.Bytes;
            entry.BytesIn = requestBody?.Bytes ?? 0;
            context.Features.Set(responseBody.Inner);
            AccessLogFields.OnRequestCompleted(context, entry);
            if (failed)
            {
                entry.Status = context.Response.HasStarted ? entry.Status : StatusCodes.Status500InternalServerError;
                entry.Error ??= "Exception";
            }

            entry.Complete();
            metrics.RequestCompleted(entry);
            writer.Write(entry);
        }
    }
}

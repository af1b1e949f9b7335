using System.Net;
using System.Text;
using Gateway.Hosting;

namespace Gateway.Demo;

/// <summary>
/// The demo upstream's only page: the request line and headers it received, so a new user sees what the gateway
/// forwards (X-Forwarded-For, the original Host...). JSON when the client asks for it.
/// </summary>
internal static class WhoamiEndpoint
{
    public static WebApplication MapDemoUpstream(this WebApplication app)
    {
        app.Map("/{**path}", Handle).WithMetadata(new ListenerScopeMetadata(ListenerKind.Demo));
        return app;
    }

    private static IResult Handle(HttpContext context)
    {
        var request = context.Request;
        var requestLine = $"{request.Method} {request.Path}{request.QueryString} {request.Protocol}";
        var headers = request.Headers.SelectMany(h => h.Value.Select(v => (h.Key, Value: v ?? string.Empty))).ToList();
        var peer = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

        if (request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true))
        {
            return Results.Json(new
            {
                server = "gateway demo upstream",
                requestLine,
                peer,
                headers = headers.Select(h => new { name = h.Key, value = h.Value }),
            });
        }

        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gateway demo upstream</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111}code,td{font-family:ui-monospace,monospace}")
            .Append("td{padding:.15rem .75rem .15rem 0;vertical-align:top}</style></head><body>")
            .Append("<h1>It works: this page came through Gateway</h1>")
            .Append("<p>This is the gateway's built-in demo upstream. It shows the request it received from the proxy.</p>")
            .Append("<h2>Request</h2><p><code>").Append(WebUtility.HtmlEncode(requestLine)).Append("</code></p>")
            .Append("<p>Connection from <code>").Append(WebUtility.HtmlEncode(peer)).Append("</code></p>")
            .Append("<h2>Headers</h2><table>");
        foreach (var (name, value) in headers)
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(name)).Append("</td><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }
}

using System.Net;
using System.Text;

namespace Gateway.Knock;

/// <summary>
/// The portal's HTML: plain server-rendered pages that work without JavaScript, with landmarks and headings, labels
/// on every control, a visible focus ring, and colours above WCAG AA contrast (4.5:1) against their background.
/// </summary>
internal static class PortalResponses
{
    /// <summary>Dark text #18181b, links and buttons #1d4ed8 (6.7:1 on white), revoke #b91c1c (6.5:1), allowed #166534 (7.1:1).</summary>
    private const string Css =
        "body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b;line-height:1.5}" +
        "main{max-width:40rem;margin:6vh auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px #0003}" +
        "h1{font-size:1.6rem;margin-top:0}h2{font-size:1.2rem;margin:0 0 .25rem}a{color:#1d4ed8}" +
        "ul.apps{list-style:none;padding:0}ul.apps>li{border-top:1px solid #d4d4d8;padding:1rem 0}" +
        "form{display:inline-block;margin:.5rem .5rem 0 0}" +
        "button{font:inherit;padding:.5rem 1rem;border-radius:.375rem;border:2px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}" +
        "button.secondary{background:#fff;color:#1d4ed8}button.revoke{background:#fff;color:#b91c1c;border-color:#b91c1c}" +
        "button:focus-visible,a:focus-visible{outline:3px solid #18181b;outline-offset:2px}" +
        ".allowed{color:#166534;font-weight:600}.muted{color:#52525b}.notice{background:#eff6ff;border-left:4px solid #1d4ed8;padding:.5rem 1rem}" +
        ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
        "footer{margin-top:2rem;border-top:1px solid #d4d4d8;padding-top:1rem}";

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    public static StringBuilder Begin(string title) => new StringBuilder()
        .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .Append("<meta name=\"referrer\" content=\"no-referrer\"><title>").Append(Encode(title)).Append("</title>")
        .Append("<style>").Append(Css).Append("</style></head><body>");

    public static string End(StringBuilder html) => html.Append("</body></html>").ToString();

    /// <summary>A hidden form field.</summary>
    public static StringBuilder Hidden(this StringBuilder html, string name, string? value) =>
        value is null ? html : html.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");

    /// <summary>A short page (an error, a confirmation) with an optional link onward.</summary>
    public static Task WriteAsync(
        HttpContext context, int status, string siteTitle, string heading, string message, string? reason, (string Href, string Text)? link = null)
    {
        var html = Begin(heading + " – " + siteTitle).Append("<main><h1>").Append(Encode(heading)).Append("</h1><p>").Append(Encode(message)).Append("</p>");
        if (link is { } onward)
        {
            html.Append("<p><a href=\"").Append(Encode(onward.Href)).Append("\">").Append(Encode(onward.Text)).Append("</a></p>");
        }

        if (reason is not null)
        {
            html.Append("<p class=\"muted\">Reason: ").Append(Encode(reason)).Append("</p>");
        }

        return SendAsync(context, status, End(html.Append("</main>")));
    }

    public static Task SendAsync(HttpContext context, int status, string html)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
        return response.WriteAsync(html);
    }
}

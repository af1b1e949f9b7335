using System.Net;
using System.Text;

namespace Gateway.Access;

/// <summary>The built-in error page (HAProxy's errorfiles, readable and accessible), rendered once per variant.</summary>
internal static class ErrorPages
{
    public static byte[] Render(int status, string explanation, string reason, string? portal)
    {
        var title = status switch
        {
            403 => "Access denied",
            404 => "Not found",
            _ => "Service unavailable",
        };
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").Append(title).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}")
            .Append("main{max-width:32rem;margin:12vh auto;padding:2rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px #0002}")
            .Append("h1{font-size:1.5rem;margin-top:0}a{color:#1d4ed8}.reason{color:#52525b;font-size:.875rem}</style></head>")
            .Append("<body><main><h1>").Append(title).Append("</h1><p>").Append(WebUtility.HtmlEncode(explanation)).Append("</p>");
        if (portal is not null)
        {
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(portal)).Append("\">Request access</a></p>");
        }

        html.Append("<p class=\"reason\">Reason: ").Append(WebUtility.HtmlEncode(reason)).Append("</p></main></body></html>");
        return Encoding.UTF8.GetBytes(html.ToString());
    }
}

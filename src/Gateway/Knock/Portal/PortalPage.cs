using System.Globalization;
using System.Text;

namespace Gateway.Knock;

/// <summary>What the portal page shows a signed-in user.</summary>
internal sealed record PortalView(
    PortalSettings Portal, PortalUser User, string ClientAddress, string FormToken, string? Return, string? Notice, IReadOnlyList<ApplicationView> Applications);

/// <summary>One application: the user's grants on its list, and the one for the address they come from now.</summary>
internal sealed record ApplicationView(PortalApplication Application, IReadOnlyList<Grant> Grants, Grant? Current);

/// <summary>
/// The portal page. Focus order follows reading order: per application "Open" (when allowed), "Allow my IP", then
/// "Revoke"; "Sign out" last. Buttons name their application for screen readers ("Allow my IP for Confluence").
/// </summary>
internal static class PortalPage
{
    public static string Render(PortalView view)
    {
        var html = PortalResponses.Begin(view.Portal.Title).Append("<main><h1>").Append(PortalResponses.Encode(view.Portal.Title)).Append("</h1>");
        html.Append("<p>Signed in as <strong>").Append(PortalResponses.Encode(view.User.Name)).Append("</strong>");
        if (view.User.Email is { } email)
        {
            html.Append(" (").Append(PortalResponses.Encode(email)).Append(')');
        }

        html.Append(". Your address: <strong>").Append(PortalResponses.Encode(view.ClientAddress)).Append("</strong>.</p>");
        if (view.Notice is { } notice)
        {
            html.Append("<p class=\"notice\" role=\"status\">").Append(PortalResponses.Encode(notice)).Append("</p>");
        }

        if (view.Applications.Count == 0)
        {
            html.Append("<p>Your account is not in a group that may open an application here. Ask your administrator to add you to one.</p>");
        }
        else
        {
            html.Append("<h2 class=\"visually-hidden\">Applications</h2><ul class=\"apps\">");
            foreach (var application in view.Applications)
            {
                Application(html, view, application);
            }

            html.Append("</ul>");
        }

        html.Append("<footer><form method=\"post\" action=\"").Append(KnockPaths.Logout).Append("\">")
            .Hidden(PortalAntiforgery.FieldName, view.FormToken)
            .Append("<button type=\"submit\" class=\"secondary\">Sign out</button></form></footer></main>");
        return PortalResponses.End(html);
    }

    private static void Application(StringBuilder html, PortalView view, ApplicationView item)
    {
        var app = item.Application;
        var id = "app-" + string.Concat(app.Name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
        var title = PortalResponses.Encode(app.Title);
        html.Append("<li><section aria-labelledby=\"").Append(id).Append("\"><h2 id=\"").Append(id).Append("\">").Append(title).Append("</h2>");
        if (item.Current is { } current)
        {
            html.Append("<p><span class=\"allowed\">Your address ").Append(PortalResponses.Encode(current.Address)).Append(" is allowed").Append(Until(current))
                .Append(".</span> <a href=\"").Append(PortalResponses.Encode(app.Url.ToString())).Append("\">Open ").Append(title).Append("</a></p>");
        }
        else
        {
            html.Append("<p class=\"muted\">Your address ").Append(PortalResponses.Encode(view.ClientAddress)).Append(" is not allowed.</p>");
        }

        var others = item.Grants.Where(g => g != item.Current).ToList();
        if (others.Count > 0)
        {
            html.Append("<p>Also allowed for you: ");
            html.AppendJoin(", ", others.Select(g => PortalResponses.Encode(g.Address) + Until(g)));
            html.Append(".</p>");
        }

        Form(html, view, view.Portal.PathOf("allow"), app, "Allow my IP", null);
        if (item.Grants.Count > 0)
        {
            Form(html, view, view.Portal.PathOf("revoke"), app, "Revoke", "revoke");
        }

        html.Append("</section></li>");
    }

    private static void Form(StringBuilder html, PortalView view, string action, PortalApplication app, string label, string? style)
    {
        html.Append("<form method=\"post\" action=\"").Append(PortalResponses.Encode(action)).Append("\">")
            .Hidden("app", app.Name)
            .Hidden("return", view.Return)
            .Hidden(PortalAntiforgery.FieldName, view.FormToken)
            .Append("<button type=\"submit\"").Append(style is null ? string.Empty : $" class=\"{style}\"").Append('>')
            .Append(label).Append("<span class=\"visually-hidden\"> for ").Append(PortalResponses.Encode(app.Title)).Append("</span></button></form>");
    }

    private static string Until(Grant grant) => grant.ExpiresAt is { } expires
        ? $" until <time datetime=\"{expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\">{expires.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</time>"
        : " with no end date";
}

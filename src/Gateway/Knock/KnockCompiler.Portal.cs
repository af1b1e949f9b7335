using System.Collections.Immutable;
using Gateway.Access;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Knock;

internal static partial class KnockCompiler
{
    private static PortalSettings? CompilePortal(KnockOptions knock, bool hasLogin, GatewayOptions options, ConfigErrors errors)
    {
        const string key = Key + ":Portal";
        var portal = knock.Portal;
        var set = portal.Host is not null || portal.Path is not null || portal.MaxTtl is not null || portal.SignInLifetime is not null ||
            portal.Title is not null || knock.Applications.Count > 0;
        if (!hasLogin)
        {
            if (set)
            {
                errors.Add(key, "needs Gateway:Knock:Oidc: the portal signs users in with the OpenID provider before they may allow their IP.");
            }

            return null;
        }

        var before = errors.All.Count;
        string? host = null;
        if (portal.Host is { } text)
        {
            host = text.Trim().ToLowerInvariant();
            if (HostPattern.Check(host) is { } problem)
            {
                errors.Add(key + ":Host", problem);
            }
            else if (host.StartsWith("*.", StringComparison.Ordinal))
            {
                errors.Add(key + ":Host", $"'{text}' is a wildcard; the portal needs one host of its own.");
            }
            else if (options.Routes.FirstOrDefault(r => r.Value.Hosts.Any(h => string.Equals(h.Trim(), host, StringComparison.OrdinalIgnoreCase))) is { Key: { } route })
            {
                errors.Add(key + ":Host", $"'{text}' is also a host of Routes:{route}; give the portal a host of its own, or leave Host unset to serve it under {KnockPaths.DefaultPortal} on every host.");
            }
        }

        var path = portal.Path?.Trim() ?? (host is null ? KnockPaths.DefaultPortal : "/");
        if (!IsPlainPath(path))
        {
            errors.Add(key + ":Path", $"'{portal.Path}' is not a path; write it like /.gateway/portal: starting with '/', no trailing '/', letters, digits, '-', '_' and '.' between slashes.");
        }
        else if (host is null && !KnockPaths.IsReserved(path))
        {
            errors.Add(key + ":Path", $"'{path}' is outside {KnockPaths.Reserved}/, so it would hide that path of every application; put it under {KnockPaths.Reserved}/ or give the portal a Host of its own.");
        }
        else if (KnockPaths.Taken.Any(t => path.Equals(t, StringComparison.OrdinalIgnoreCase) || path.StartsWith(t + "/", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add(key + ":Path", $"'{path}' is taken by the gateway's own endpoints ({string.Join(", ", KnockPaths.Taken)}); choose another.");
        }

        var maxTtl = Duration.Parse(portal.MaxTtl, TimeSpan.FromHours(12), key + ":MaxTtl", errors, TimeSpan.FromMinutes(1));
        var signIn = Duration.Parse(portal.SignInLifetime, TimeSpan.FromHours(1), key + ":SignInLifetime", errors, TimeSpan.FromMinutes(1));
        var title = portal.Title?.Trim() ?? "Application access";
        if (title.Length is 0 or > 100 || title.Any(char.IsControl))
        {
            errors.Add(key + ":Title", "must be a short line of text (1 to 100 characters).");
        }

        return errors.All.Count == before ? new PortalSettings(host, path, maxTtl, signIn, title) : null;
    }

    private static ImmutableArray<PortalApplication> CompileApplications(KnockOptions knock, AccessConfig access, GatewayOptions options, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<PortalApplication>();
        foreach (var (name, app) in knock.Applications.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var key = $"{Key}:Applications:{name}";
            var before = errors.All.Count;
            var listName = app.List?.Trim() ?? name;
            var list = access.Lists.FirstOrDefault(l => l.Name.Equals(listName, StringComparison.OrdinalIgnoreCase));
            if (list is null)
            {
                errors.Add(key + ":List", $"'{listName}' is not an access list; define it under Gateway:Access:Lists or name the list with List.");
            }
            else if (list.Groups.IsEmpty)
            {
                errors.Add(key + ":List", $"list '{list.Name}' has no Groups, so nobody may allow themselves on it; set Gateway:Access:Lists:{list.Name}:Groups (\"*\" for every signed-in user).");
            }

            var issuesKat = list is not null && access.RoutePolicies.Values.Any(p =>
                p.ListName.Equals(list.Name, StringComparison.OrdinalIgnoreCase) && (p.Mode & PolicyMode.Kat) != 0);
            Uri? url = null;
            if (app.Url is null || !Uri.TryCreate(app.Url.Trim(), UriKind.Absolute, out url) || (url.Scheme != "https" && url.Scheme != "http") ||
                url.Fragment.Length > 0 || url.UserInfo.Length > 0)
            {
                errors.Add(key + ":Url", $"is required: the application's absolute http(s) URL, where allowed users are sent{(app.Url is null ? string.Empty : $", not '{app.Url}'")}.");
            }
            else if (issuesKat && !ServedByList(url, list!.Name, options))
            {
                errors.Add(key + ":Url", $"'{app.Url}' is not on a host of a route protected by list '{list.Name}'; the session is issued there, so use the URL of one of those routes.");
            }

            var title = app.Title?.Trim() ?? name;
            if (title.Length is 0 or > 100 || title.Any(char.IsControl))
            {
                errors.Add(key + ":Title", "must be a short line of text (1 to 100 characters).");
            }

            if (errors.All.Count == before)
            {
                result.Add(new PortalApplication(name, title, list!.Name, url!, list.Groups, issuesKat));
            }
        }

        return result.ToImmutable();
    }

    private static bool ServedByList(Uri url, string list, GatewayOptions options) =>
        options.Routes.Values.Any(r =>
            string.Equals(r.Access.List, list, StringComparison.OrdinalIgnoreCase) &&
            (r.Hosts.Count == 0 || r.Hosts.Any(h => HostPattern.Matches(h.Trim(), url.Host))));

    /// <summary>The link on the reject page: the portal's own URL, or its path when it is served on every host.</summary>
    private static Uri PortalLink(PortalSettings portal, GatewayOptions options)
    {
        if (portal.Host is null)
        {
            return new Uri(portal.Path, UriKind.Relative);
        }

        var https = options.Listeners.Values.Any(l => string.Equals(l.Protocol?.Trim(), "https", StringComparison.OrdinalIgnoreCase));
        return new Uri($"{(https ? "https" : "http")}://{portal.Host}{portal.Path}");
    }

    private static bool IsPlainPath(string path) =>
        path == "/" ||
        (path.StartsWith('/') && !path.EndsWith('/') && !path.Contains("//", StringComparison.Ordinal) && path.Length <= 200 &&
         path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.') &&
         !path.Split('/').Any(s => s is "." or ".."));
}

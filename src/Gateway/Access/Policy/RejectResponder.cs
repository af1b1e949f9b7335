using System.Collections.Concurrent;
using Yarp.ReverseProxy;

namespace Gateway.Access;

/// <summary>
/// Carries out a route's reject action: an error page (HTML, the operator's file, or JSON for clients that ask), a
/// redirect to the login portal with the return URL, or forwarding to a fallback cluster (an existing HAProxy) with
/// <c>X-Gateway-Reject</c> saying why.
/// </summary>
internal sealed class RejectResponder(IProxyStateLookup proxyState)
{
    private readonly ConcurrentDictionary<(int Status, AccessReason Reason, string? Portal), byte[]> _pages = new();

    /// <summary>Answers the request, or re-targets it to the fallback cluster and returns false so the pipeline continues.</summary>
    public async Task<bool> RejectAsync(HttpContext context, RoutePolicy policy, AccessReason reason, AccessConfig config)
    {
        var reject = policy.Reject;
        if (reject.Kind == RejectKind.Fallback && reject.Cluster is { } clusterId && proxyState.TryGetCluster(clusterId, out var cluster))
        {
            context.ReassignProxyRequest(cluster);
            return false;
        }

        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (reject.Kind == RejectKind.Redirect && reject.Url is { } login)
        {
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = RedirectTarget(context.Request, login, config);
            return true;
        }

        var status = reject.Kind == RejectKind.Deny ? reject.Status : StatusCodes.Status503ServiceUnavailable;
        response.StatusCode = status;
        if (WantsJson(context.Request))
        {
            response.ContentType = "application/json";
            await response.WriteAsync($$"""{"error":"{{(status == 403 ? "forbidden" : "unavailable")}}","reason":"{{reason.Name()}}"}""");
            return true;
        }

        response.ContentType = "text/html; charset=utf-8";
        var body = reject.Page ?? _pages.GetOrAdd((status, reason, config.PortalUrl?.ToString()), key => BuiltInPage(key.Status, key.Reason, key.Portal));
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
        return true;
    }

    /// <summary>The login URL with <c>return</c> = the original URL, but only when that URL is on a configured host.</summary>
    internal static string RedirectTarget(HttpRequest request, Uri login, AccessConfig config)
    {
        var host = request.Host.Host;
        if (!ReturnUrls.IsAllowedHost(host, config))
        {
            return login.ToString();
        }

        var original = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        var separator = string.IsNullOrEmpty(login.Query) ? "?" : "&";
        return login + separator + "return=" + Uri.EscapeDataString(original);
    }

    private static bool WantsJson(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) &&
                !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] BuiltInPage(int status, AccessReason reason, string? portal)
    {
        var explanation = reason switch
        {
            AccessReason.IpNotListed => "Your network address is not allowed to reach this application.",
            AccessReason.NoSession => "You need an access link to open this application.",
            AccessReason.SessionExpired => "Your access to this application has expired.",
            AccessReason.SessionOtherIp => "Your access was granted to another network address.",
            AccessReason.StateUnavailable => "Access cannot be checked right now. Please try again in a few minutes.",
            AccessReason.TokenUnknown or AccessReason.TokenExpired or AccessReason.TokenOtherIp or AccessReason.TokenOtherList =>
                "This access link is not valid: it was already used, has expired, or belongs elsewhere.",
            _ => "Your access to this application could not be confirmed.",
        };
        return ErrorPages.Render(status, explanation, reason.Name(), portal);
    }
}

using Gateway.Routing;

namespace Gateway.Access;

/// <summary>
/// Where the gateway may send a browser back to: a local path, or an absolute http(s) URL whose host is one of the
/// configured return hosts. Everything else is refused, so no gateway URL becomes an open redirect.
/// </summary>
internal static class ReturnUrls
{
    public static bool IsAllowed(string? url, AccessConfig config)
    {
        if (string.IsNullOrEmpty(url))
        {
            return false;
        }

        // "/path" is local; "//host" and "/\host" are protocol-relative URLs to another host.
        if (url[0] == '/')
        {
            return url.Length == 1 || (url[1] != '/' && url[1] != '\\');
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
            (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
            string.IsNullOrEmpty(uri.UserInfo) &&
            IsAllowedHost(uri.Host, config);
    }

    public static bool IsAllowedHost(string host, AccessConfig config)
    {
        foreach (var pattern in config.ReturnHosts)
        {
            if (HostPattern.Matches(pattern, host))
            {
                return true;
            }
        }

        return false;
    }
}

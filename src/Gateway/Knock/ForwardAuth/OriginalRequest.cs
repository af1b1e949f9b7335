using System.Text;

namespace Gateway.Knock;

/// <summary>
/// The request a proxy asks about, read from the headers nginx (<c>X-Original-URL</c>, <c>X-Original-Method</c>) or
/// Traefik and Caddy (<c>X-Forwarded-Method</c>, <c>-Proto</c>, <c>-Host</c>, <c>-Uri</c>) send. The path is decoded
/// and its dot segments removed as Kestrel would, so <c>/public/../admin</c> is judged as <c>/admin</c>, the path the
/// application will see.
/// </summary>
internal sealed record OriginalRequest(string Method, bool Https, string Host, int Port, string Path)
{
    /// <summary>Null when the headers do not say which request it is.</summary>
    public static OriginalRequest? Read(IHeaderDictionary headers)
    {
        var method = First(headers, "X-Original-Method") ?? First(headers, "X-Forwarded-Method") ?? "GET";
        if (method.Length is 0 or > 16 || !method.All(char.IsAsciiLetter))
        {
            return null;
        }

        string? scheme;
        string? authority;
        string? target;
        if (First(headers, "X-Original-URL") is { } original)
        {
            if (!Uri.TryCreate(original, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
            {
                return null;
            }

            (scheme, authority, target) = (url.Scheme, url.Authority, url.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));
        }
        else
        {
            (scheme, authority, target) = (First(headers, "X-Forwarded-Proto") ?? "http", First(headers, "X-Forwarded-Host"), First(headers, "X-Forwarded-Uri"));
        }

        if (authority is null || target is null || !target.StartsWith('/') || scheme is not ("http" or "https"))
        {
            return null;
        }

        var https = scheme == "https";
        if (!TrySplitHost(authority, https ? 443 : 80, out var host, out var port) || Normalize(target) is not { } path)
        {
            return null;
        }

        return new OriginalRequest(method.ToUpperInvariant(), https, host, port, path);
    }

    private static string? First(IHeaderDictionary headers, string name)
    {
        var value = headers[name];
        return value.Count == 1 && !string.IsNullOrWhiteSpace(value[0]) ? value[0]!.Trim() : null;
    }

    private static bool TrySplitHost(string authority, int defaultPort, out string host, out int port)
    {
        port = defaultPort;
        host = authority;
        var close = authority.LastIndexOf(']');
        var colon = authority.LastIndexOf(':');
        if (colon > close && colon >= 0)
        {
            if (!int.TryParse(authority.AsSpan(colon + 1), out port) || port is <= 0 or > 65535)
            {
                return false;
            }

            host = authority[..colon];
        }

        return host.Length > 0 && !host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '@');
    }

    /// <summary>The path without the query, percent-decoded (except <c>%2F</c>) and without <c>.</c>/<c>..</c> segments.</summary>
    internal static string? Normalize(string target)
    {
        var end = target.IndexOfAny(['?', '#']);
        var raw = end < 0 ? target : target[..end];
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(raw.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase));
        }
        catch (UriFormatException)
        {
            return null;
        }

        if (decoded.Any(c => c == '\0' || char.IsControl(c)))
        {
            return null;
        }

        var output = new List<string>();
        var segments = decoded.Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            switch (segments[i])
            {
                case ".":
                    if (i == segments.Length - 1)
                    {
                        output.Add(string.Empty);
                    }

                    break;
                case "..":
                    if (output.Count > 0)
                    {
                        output.RemoveAt(output.Count - 1);
                    }

                    if (i == segments.Length - 1)
                    {
                        output.Add(string.Empty);
                    }

                    break;
                default:
                    output.Add(segments[i]);
                    break;
            }
        }

        return new StringBuilder("/").AppendJoin('/', output).ToString();
    }
}

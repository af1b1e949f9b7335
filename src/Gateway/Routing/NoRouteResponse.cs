using System.Text;
using Gateway.Access;
using Gateway.Configuration;

namespace Gateway.Routing;

/// <summary>What a request no route matches gets when there is no fallback cluster: a status and a page.</summary>
internal sealed record NoRouteResponse(int Status, string ContentType, byte[] Body)
{
    public static readonly NoRouteResponse Default = new(
        StatusCodes.Status404NotFound, "text/plain; charset=utf-8", Encoding.ASCII.GetBytes("404 Not Found: no route matches this host and path.\n"));

    public static NoRouteResponse Compile(FallbackOptions fallback, ConfigErrors errors)
    {
        const string key = "Gateway:Fallback";
        if (fallback.Status is null && fallback.Page is null)
        {
            return Default;
        }

        if (fallback.Cluster is not null)
        {
            errors.Add(key, "sets both Cluster and Status/Page; unrouted requests go to the cluster or get a page, not both.");
            return Default;
        }

        var status = fallback.Status ?? StatusCodes.Status404NotFound;
        if (status is not (403 or 404 or 503))
        {
            errors.Add(key + ":Status", $"{status} is not a fallback status; use 403, 404 or 503.");
            return Default;
        }

        if (fallback.Page is { } path)
        {
            try
            {
                return new NoRouteResponse(status, "text/html; charset=utf-8", File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(key + ":Page", $"'{path}' cannot be read: {e.Message}");
                return Default;
            }
        }

        var explanation = status == 404 ? "Nothing is served at this address." : "No application is available at this address.";
        return new NoRouteResponse(status, "text/html; charset=utf-8", ErrorPages.Render(status, explanation, "no-route", null));
    }
}

using Gateway.Configuration;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>
/// The URL that redeems a KAT: the protected URL the caller named, or the first route protecting the list (its first
/// named host, or for a route of any host its listener's own address; its path prefix; its https listener if it has
/// one, else its http one), with the token added as the configured query parameter.
/// </summary>
internal static class RedemptionUrls
{
    public static string? For(string list, string? url, string token, GatewayConfig config)
    {
        var parameter = config.Access.TokenQueryParameter;
        if (url is not null)
        {
            return QueryHelpers.AddQueryString(url, parameter, token);
        }

        foreach (var route in config.Routes)
        {
            if (!config.Access.RoutePolicies.TryGetValue(route.Id, out var policy) ||
                !string.Equals(policy.ListName, list, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // An https listener serving the route is preferred: the token should not travel in the clear.
            var listeners = config.Listeners.Where(l => (route.Listeners.IsEmpty || route.Listeners.Contains(l.Name, StringComparer.OrdinalIgnoreCase)) &&
                l.Protocol is "http" or "https").ToList();
            var listener = listeners.FirstOrDefault(l => l.Protocol == "https") ?? listeners.FirstOrDefault();
            var host = route.Hosts.FirstOrDefault(h => !h.Contains('*', StringComparison.Ordinal)) ?? ListenerHost(listener);
            if (host is null)
            {
                continue;
            }

            var scheme = listener?.Protocol == "https" ? "https" : "http";
            var standard = scheme == "https" ? 443 : 80;
            var port = host.Contains(':', StringComparison.Ordinal) || listener is null || listener.Port == standard || listener.Port == 0 ? string.Empty : ":" + listener.Port;
            var brace = route.PathPattern.IndexOf('{', StringComparison.Ordinal);
            var path = brace < 0 ? route.PathPattern : route.PathPattern[..brace];
            return QueryHelpers.AddQueryString($"{scheme}://{host}{port}{path}", parameter, token);
        }

        return null;
    }

    // A route for any host is reached at its listener's own address, when that is a single address.
    private static string? ListenerHost(Hosting.ListenerDefinition? listener) => listener switch
    {
        null => null,
        { Localhost: true } => "localhost",
        { IsWildcard: true } => null,
        { Address: { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } address } => $"[{address}]",
        { Address: { } address } => address.ToString(),
        _ => null,
    };
}

using Gateway.Configuration;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>
/// The URL that redeems a KAT: the protected URL the caller named, or the first route protecting the list that names
/// a host (its path prefix, on its listener's port), with the token added as the configured query parameter.
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
                !string.Equals(policy.ListName, list, StringComparison.OrdinalIgnoreCase) ||
                route.Hosts.FirstOrDefault(h => !h.Contains('*', StringComparison.Ordinal)) is not { } host)
            {
                continue;
            }

            var listener = config.Listeners.FirstOrDefault(l => route.Listeners.IsEmpty || route.Listeners.Contains(l.Name, StringComparer.OrdinalIgnoreCase));
            var port = host.Contains(':', StringComparison.Ordinal) || listener is null || listener.Port is 80 or 0 ? string.Empty : ":" + listener.Port;
            var brace = route.PathPattern.IndexOf('{', StringComparison.Ordinal);
            var path = brace < 0 ? route.PathPattern : route.PathPattern[..brace];
            return QueryHelpers.AddQueryString($"http://{host}{port}{path}", parameter, token);
        }

        return null;
    }
}

using Gateway.Configuration;
using Microsoft.AspNetCore.Routing.Matching;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tls.Acme;

/// <summary>
/// Limits each ACME pass-through route to its host patterns. The routes themselves match every host so that, with
/// their lowest order, they win over any route for the same host; this policy drops them for other hosts.
/// </summary>
internal sealed class AcmePassThroughMatcherPolicy(GatewayConfigManager config) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => -900;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<RouteModel>()?.Config.RouteId.StartsWith(AcmeCompiler.PassThroughRoutePrefix, StringComparison.Ordinal) == true);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var passThrough = config.Current.Tls.AcmePassThrough;
        for (var i = 0; i < candidates.Count; i++)
        {
            var routeId = candidates[i].Endpoint.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
            if (routeId is not null && candidates.IsValidCandidate(i) && passThrough.TryGetValue(routeId, out var patterns) &&
                !Matches(patterns, httpContext.Request.Host))
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    private static bool Matches(IEnumerable<string> patterns, HostString requestHost)
    {
        var host = requestHost.Host;
        foreach (var pattern in patterns)
        {
            var colon = pattern.LastIndexOf(':');
            var name = colon > 0 && !pattern.EndsWith(']') ? pattern[..colon] : pattern;
            if (colon > 0 && name != pattern && requestHost.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) != pattern[(colon + 1)..])
            {
                continue;
            }

            var matches = name.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(name[1..], StringComparison.OrdinalIgnoreCase) && host.Length > name.Length - 1 && host[0] != '.'
                : host.Equals(name, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}

using Gateway.Configuration;

namespace Gateway.Kubernetes;

/// <summary>
/// What the config files define, as the translator needs it: the names annotations may refer to, the ids Ingress
/// lists must not take, and the routes Ingress rules must not duplicate. Built from the current snapshot, leaving
/// out what earlier Ingress translations added.
/// </summary>
internal sealed record FileView(
    IReadOnlySet<string> Lists, IReadOnlySet<int> ListIds, IReadOnlySet<string> Clusters, bool HasFallback, IReadOnlySet<string> RouteKeys)
{
    public static FileView From(GatewayConfig config)
    {
        var lists = config.Access.Lists.Where(l => !l.Name.StartsWith(KubernetesFragment.ListPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        var routes = config.Routes.Where(r => !r.Id.StartsWith(KubernetesFragment.RoutePrefix, StringComparison.OrdinalIgnoreCase));
        return new FileView(
            lists.Select(l => l.Name).ToHashSet(StringComparer.OrdinalIgnoreCase),
            lists.Select(l => l.Id).Concat(lists.Select(l => l.TokenMapId).OfType<int>()).ToHashSet(),
            config.Clusters.Keys.Where(k => !k.StartsWith(KubernetesFragment.RoutePrefix, StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.OrdinalIgnoreCase),
            config.FallbackClusterId is not null,
            routes.SelectMany(r => (r.Hosts.IsEmpty ? [string.Empty] : r.Hosts).Select(h => RouteKey(h, r.Order, r.PathPattern, string.Join(',', r.Methods), string.Join(',', r.Listeners))))
                .ToHashSet(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Routes with equal keys match exactly the same requests, which the route compiler refuses.</summary>
    public static string RouteKey(string host, int order, string pathPattern, string methods = "", string listeners = "") =>
        $"{host}|{order}|{pathPattern.ToUpperInvariant()}|{methods}|{listeners}";
}

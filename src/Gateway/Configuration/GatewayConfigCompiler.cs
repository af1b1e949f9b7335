using System.Collections.Immutable;
using Gateway.Access;
using Gateway.Demo;
using Gateway.Hosting;
using Gateway.Observability;
using Gateway.Knock;
using Gateway.Kubernetes;
using Gateway.Routing;
using Gateway.RuntimeApi;
using Gateway.RuntimeApi.AdminApi;
using Gateway.State;
using Gateway.Tcp;
using Gateway.Tls;

namespace Gateway.Configuration;

/// <summary>
/// Turns the raw configuration into a <see cref="GatewayConfig"/>, collecting every error on the way: file errors,
/// unknown keys and unconvertible values, then each capability's own checks, then the checks across them.
/// </summary>
internal static class GatewayConfigCompiler
{
    /// <summary>
    /// Compiles the files' configuration, with the routes, clusters, lists and certificates derived from Ingress
    /// resources (<c>kubernetes</c>) merged in, so that they pass the same checks and end up in the same snapshot.
    /// </summary>
    public static (GatewayConfig? Config, IReadOnlyList<ConfigError> Errors) Compile(
        IConfiguration configuration, IEnumerable<ConfigError> fileErrors, string contentRoot, int revision, KubernetesFragment? kubernetes = null)
    {
        var errors = new ConfigErrors();
        foreach (var error in fileErrors)
        {
            errors.Add(error.Key, error.Message);
        }

        var section = configuration.GetSection(GatewayOptions.SectionName);
        var bad = ConfigShape.Check(section, typeof(GatewayOptions), errors);
        var options = Bind(section, bad);
        var kubernetesSettings = KubernetesCompiler.Compile(options.Kubernetes, errors);
        kubernetes?.MergeInto(options);

        var listeners = ListenerCompiler.CompileListeners(options, errors);
        var management = ListenerCompiler.CompileManagement(options.Management, errors);
        var demo = DemoUpstreamCompiler.Compile(options.DemoUpstream, errors);
        var all = listeners.Concat(management is null ? [] : [management]).Concat(demo is null ? [] : [demo]).ToList();
        ListenerCompiler.CheckClashes(all, errors);

        var clusters = ClusterCompiler.Compile(options, errors, kubernetes?.EndpointClusters);
        var clusterIds = options.Clusters.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var publicListeners = options.Listeners.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var routes = RouteCompiler.Compile(options, clusterIds, publicListeners, errors);

        var fallback = options.Fallback.Cluster;
        if (fallback is not null && !clusterIds.Contains(fallback))
        {
            errors.Add("Gateway:Fallback:Cluster", $"'{fallback}' is not a cluster; define it under Gateway:Clusters or fix the name.");
        }

        if (fallback is not null)
        {
            routes.Add(RouteCompiler.Fallback(fallback));
        }

        var noRoute = NoRouteResponse.Compile(options.Fallback, errors);

        var access = AccessCompiler.Compile(options, clusterIds, errors);
        var state = StateSettings.Compile(options.State, errors);
        (var knock, access) = KnockCompiler.Compile(options, access, contentRoot, errors);
        var (tls, acmePassThrough) = TlsCompiler.Compile(options, listeners, routes, clusterIds, contentRoot, errors);
        routes.AddRange(acmePassThrough);
        if (kubernetes is not null)
        {
            tls = tls with { Supplied = kubernetes.Certificates };
        }

        var tcp = TcpCompiler.Compile(options, listeners, errors);

        var accessLog = AccessLogCompiler.Compile(options.AccessLog, contentRoot, errors);
        var metrics = MetricsCompiler.Compile(options.Metrics, errors);
        var shutdown = ShutdownCompiler.Compile(options.Shutdown, errors);

        if (listeners.Count == 0 && !errors.Any)
        {
            errors.Add("Gateway:Listeners", "is empty; add at least one, like \"http\": { \"Address\": \"*\", \"Port\": 80 }.");
        }

        var stateDirectory = options.StateDirectory ?? "data";
        string? fullStateDirectory = null;
        if (string.IsNullOrWhiteSpace(stateDirectory) || stateDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Gateway:StateDirectory", $"'{stateDirectory}' is not a directory path.");
        }
        else
        {
            fullStateDirectory = Path.GetFullPath(stateDirectory, contentRoot);
        }

        var runtimeApi = RuntimeApiCompiler.Compile(options.RuntimeApi, fullStateDirectory, all, errors);
        var adminApi = AdminApiCompiler.Compile(options.AdminApi, errors);

        if (errors.Any)
        {
            return (null, errors.All);
        }

        var config = new GatewayConfig
        {
            Revision = revision,
            StateDirectory = fullStateDirectory!,
            Management = management!,
            Listeners = [.. listeners],
            Routes = [.. routes],
            Clusters = clusters.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase),
            FallbackClusterId = fallback,
            NoRoute = noRoute,
            DemoUpstream = demo,
            Access = access,
            State = state,
            Tls = tls,
            RuntimeApi = runtimeApi,
            AdminApi = adminApi,
            AccessLog = accessLog,
            Metrics = metrics,
            Shutdown = shutdown,
            Tcp = tcp,
            Knock = knock,
            Kubernetes = kubernetesSettings,
        };
        return (config, errors.All);
    }

    private static GatewayOptions Bind(IConfigurationSection section, HashSet<string> bad)
    {
        var options = new GatewayOptions();
        if (bad.Count == 0)
        {
            section.Bind(options);
            return options;
        }

        // Bind what is valid so that the remaining checks still run and report their errors in the same pass.
        var good = section.AsEnumerable(makePathsRelative: false)
            .Where(pair => pair.Value is not null && !bad.Contains(pair.Key));
        new ConfigurationBuilder().AddInMemoryCollection(good).Build().GetSection(GatewayOptions.SectionName).Bind(options);
        return options;
    }
}

using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;

namespace Gateway.Routing;

/// <summary>Validates clusters and turns them into <see cref="ClusterDefinition"/>s.</summary>
internal static class ClusterCompiler
{
    private static readonly Dictionary<string, string> LoadBalancingPolicies = new(StringComparer.OrdinalIgnoreCase)
    {
        // HAProxy's names first, then YARP's own.
        ["roundrobin"] = "RoundRobin",
        ["leastconn"] = "LeastRequests",
        ["random"] = "Random",
        ["first"] = "FirstAlphabetical",
        ["power-of-two"] = "PowerOfTwoChoices",
        ["RoundRobin"] = "RoundRobin",
        ["LeastRequests"] = "LeastRequests",
        ["FirstAlphabetical"] = "FirstAlphabetical",
        ["PowerOfTwoChoices"] = "PowerOfTwoChoices",
    };

    /// <summary>
    /// Compiles every cluster. Those in <c>mayBeEmpty</c> get their destinations at run time (Kubernetes endpoints),
    /// so having none is a 503 for now, not an error.
    /// </summary>
    public static Dictionary<string, ClusterDefinition> Compile(GatewayOptions options, ConfigErrors errors, IReadOnlySet<string>? mayBeEmpty = null)
    {
        var clusters = new Dictionary<string, ClusterDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, cluster) in options.Clusters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var key = $"Gateway:Clusters:{id}";
            var before = errors.All.Count;

            var destinations = CompileDestinations(cluster, key, mayBeEmpty?.Contains(id) == true, errors);

            var balance = cluster.LoadBalancing ?? "roundrobin";
            if (!LoadBalancingPolicies.TryGetValue(balance, out var policy))
            {
                errors.Add(key + ":LoadBalancing", $"'{balance}' is not a load-balancing policy; use roundrobin, leastconn, random, first or power-of-two.");
            }

            var active = CompileActive(cluster.HealthCheck.Active, key + ":HealthCheck:Active", errors);
            TimeSpan? passive = cluster.HealthCheck.Passive.Enabled == true
                ? Duration.Parse(cluster.HealthCheck.Passive.ReactivationPeriod, TimeSpan.FromSeconds(30), key + ":HealthCheck:Passive:ReactivationPeriod", errors, TimeSpan.FromSeconds(1))
                : null;

            var connect = Duration.Parse(cluster.Timeouts.Connect, TimeSpan.FromSeconds(5), key + ":Timeouts:Connect", errors, TimeSpan.FromMilliseconds(1));
            var server = Duration.Parse(cluster.Timeouts.Server, TimeSpan.FromSeconds(100), key + ":Timeouts:Server", errors, TimeSpan.FromMilliseconds(1));

            if (cluster.MaxConnectionsPerDestination is < 1)
            {
                errors.Add(key + ":MaxConnectionsPerDestination", $"{cluster.MaxConnectionsPerDestination} is too small; use 1 or more, or leave it out for no limit.");
            }

            var tls = CompileTls(cluster.Tls, key + ":Tls", errors);
            var (affinityPolicy, affinityName) = CompileAffinity(cluster.Affinity, key + ":Affinity", errors);

            if (cluster.Host is { } host && Routing.HostPattern.Check(host) is { } hostProblem)
            {
                errors.Add(key + ":Host", hostProblem);
            }

            if (errors.All.Count == before)
            {
                clusters[id] = new ClusterDefinition(
                    id, destinations, policy!, active, passive, connect, server, cluster.MaxConnectionsPerDestination,
                    tls, affinityPolicy, affinityName, cluster.Host);
            }
        }

        return clusters;
    }

    private static ImmutableArray<DestinationDefinition> CompileDestinations(ClusterOptions cluster, string key, bool mayBeEmpty, ConfigErrors errors)
    {
        if (cluster.Destinations.Count == 0 && !mayBeEmpty)
        {
            errors.Add(key + ":Destinations", "is empty; add at least one destination, like \"server1\": { \"Address\": \"http://10.0.0.5:8080\" }.");
        }

        var result = ImmutableArray.CreateBuilder<DestinationDefinition>();
        foreach (var (name, destination) in cluster.Destinations.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var dkey = $"{key}:Destinations:{name}";
            var address = ParseAddress(destination.Address, dkey + ":Address", required: true, errors);
            var health = ParseAddress(destination.Health, dkey + ":Health", required: false, errors);
            if (address is not null)
            {
                result.Add(new DestinationDefinition(name, address, health));
            }
        }

        return result.ToImmutable();
    }

    private static Uri? ParseAddress(string? text, string key, bool required, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                errors.Add(key, "is required: an absolute URL such as http://10.0.0.5:8080 or https://app.internal.");
            }

            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            var hint = text.Contains("://", StringComparison.Ordinal) ? string.Empty : $" (write http://{text} or https://{text})";
            errors.Add(key, $"'{text}' is not an absolute http:// or https:// URL{hint}.");
            return null;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add(key, $"'{text}' must not carry a query, fragment or user info.");
            return null;
        }

        return uri;
    }

    private static ActiveHealthCheck? CompileActive(ActiveHealthCheckOptions active, string key, ConfigErrors errors)
    {
        var configured = active.Interval is not null || active.Timeout is not null || active.Path is not null || active.Fall is not null;
        if (!(active.Enabled ?? configured))
        {
            return null;
        }

        var interval = Duration.Parse(active.Interval, TimeSpan.FromSeconds(5), key + ":Interval", errors, TimeSpan.FromMilliseconds(100));
        var timeout = Duration.Parse(active.Timeout, TimeSpan.FromSeconds(2), key + ":Timeout", errors, TimeSpan.FromMilliseconds(10));
        var path = active.Path ?? "/";
        if (!path.StartsWith('/'))
        {
            errors.Add(key + ":Path", $"'{path}' must start with '/'.");
        }

        if (active.Fall is < 1)
        {
            errors.Add(key + ":Fall", $"{active.Fall} is too small; a destination is taken out after 1 or more failed probes.");
        }

        return new ActiveHealthCheck(interval, timeout, path, active.Fall ?? 3);
    }

    private static DestinationTls CompileTls(DestinationTlsOptions tls, string key, ConfigErrors errors)
    {
        if (tls.CaFile is { } caFile)
        {
            try
            {
                var certificates = new X509Certificate2Collection();
                certificates.ImportFromPemFile(caFile);
                if (certificates.Count == 0)
                {
                    errors.Add(key + ":CaFile", $"'{caFile}' holds no PEM certificate.");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                errors.Add(key + ":CaFile", $"'{caFile}' cannot be read as PEM certificates: {e.Message}");
            }

            if (tls.Verify == false)
            {
                errors.Add(key, "sets CaFile but turns Verify off; a CA file is only used to verify, so remove one of them.");
            }
        }

        if (tls.Sni is { } sni && CheckName(sni) is { } problem)
        {
            errors.Add(key + ":Sni", problem);
        }

        return new DestinationTls(tls.Verify ?? true, tls.CaFile, tls.Sni);
    }

    // A name to send (Host or SNI): a host pattern without a wildcard.
    private static string? CheckName(string name) =>
        name.Contains('*', StringComparison.Ordinal) ? $"'{name}' is a wildcard; name one host." : HostPattern.Check(name);

    private static (string? Policy, string? Name) CompileAffinity(AffinityOptions affinity, string key, ConfigErrors errors)
    {
        if (affinity.Policy is null && affinity.Name is null)
        {
            return (null, null);
        }

        var policy = affinity.Policy ?? "Cookie";
        if (policy.Equals("HashCookie", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(key + ":Policy", "HashCookie needs the System.IO.Hashing assembly, which this build does not include; use Cookie (the same stickiness, with an encrypted cookie) or CustomHeader.");
            return (null, null);
        }

        if (!policy.Equals("Cookie", StringComparison.OrdinalIgnoreCase) && !policy.Equals("CustomHeader", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(key + ":Policy", $"'{policy}' is not an affinity policy; use Cookie or CustomHeader.");
            return (null, null);
        }

        policy = policy.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "Cookie" : "CustomHeader";
        return (policy, affinity.Name ?? (policy == "Cookie" ? ".Gateway.Affinity" : "X-Gateway-Affinity"));
    }
}

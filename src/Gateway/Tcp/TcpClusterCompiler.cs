using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Tcp;

/// <summary>Validates <c>Gateway:Tcp:Clusters</c> into <see cref="TcpClusterDefinition"/>s.</summary>
internal static class TcpClusterCompiler
{
    public static Dictionary<string, TcpClusterDefinition> Compile(TcpOptions tcp, ConfigErrors errors)
    {
        var result = new Dictionary<string, TcpClusterDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, cluster) in tcp.Clusters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var key = $"Gateway:Tcp:Clusters:{id}";
            var before = errors.All.Count;
            if (cluster.Destinations.Count == 0)
            {
                errors.Add(key + ":Destinations", "is empty; add at least one destination, like \"git\": { \"Address\": \"10.0.0.5:22\" }.");
            }

            var destinations = ImmutableArray.CreateBuilder<TcpDestinationDefinition>();
            foreach (var (name, destination) in cluster.Destinations.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (ParseAddress(destination.Address, $"{key}:Destinations:{name}:Address", errors) is { } parsed)
                {
                    destinations.Add(new TcpDestinationDefinition(name, parsed.Host, parsed.Port));
                }
            }

            var balancing = (cluster.LoadBalancing ?? "roundrobin").Trim().ToLowerInvariant() switch
            {
                "roundrobin" or "round-robin" => TcpBalancing.RoundRobin,
                "leastconn" or "least-connections" => TcpBalancing.LeastConnections,
                _ => Invalid(errors, key + ":LoadBalancing", $"'{cluster.LoadBalancing}' is not a TCP load-balancing policy; use roundrobin or leastconn.", TcpBalancing.RoundRobin),
            };

            var health = CompileHealth(cluster.HealthCheck, key + ":HealthCheck", errors);
            var connect = Duration.Parse(cluster.Timeouts.Connect, TimeSpan.FromSeconds(5), key + ":Timeouts:Connect", errors, TimeSpan.FromMilliseconds(1));
            var idle = Duration.Parse(cluster.Timeouts.Idle, TimeSpan.FromHours(1), key + ":Timeouts:Idle", errors, TimeSpan.FromMilliseconds(10));
            if (cluster.MaxConnectionsPerDestination is < 1)
            {
                errors.Add(key + ":MaxConnectionsPerDestination", $"{cluster.MaxConnectionsPerDestination} is too small; use 1 or more, or leave it out for no limit.");
            }

            var sendProxy = (cluster.SendProxy ?? "none").Trim().ToLowerInvariant() switch
            {
                "none" or "false" => ProxyVersion.None,
                "v1" or "1" or "send-proxy" => ProxyVersion.V1,
                "v2" or "2" or "send-proxy-v2" => ProxyVersion.V2,
                _ => Invalid(errors, key + ":SendProxy", $"'{cluster.SendProxy}' is not a PROXY protocol version; use v1, v2 or none.", ProxyVersion.None),
            };

            if (errors.All.Count == before)
            {
                result[id] = new TcpClusterDefinition(
                    id, destinations.ToImmutable(), balancing, health, connect, idle, cluster.MaxConnectionsPerDestination, sendProxy);
            }
        }

        return result;
    }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c>, optionally prefixed with <c>tcp://</c>.</summary>
    internal static (string Host, int Port)? ParseAddress(string? text, string key, ConfigErrors errors)
    {
        var value = text?.Trim() ?? string.Empty;
        if (value.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            value = value[6..].TrimEnd('/');
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            errors.Add(key, $"'{text}' is a URL; a TCP destination is host:port, like 10.0.0.5:22 (tcp:// may precede it).");
            return null;
        }

        var colon = value.LastIndexOf(':');
        if (value.Length == 0 || colon <= 0 || colon == value.Length - 1)
        {
            errors.Add(key, $"'{text}' is not host:port; write it like 10.0.0.5:22, [2001:db8::5]:22 or git.internal:22.");
            return null;
        }

        var host = value[..colon];
        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            errors.Add(key, $"'{text}' has no valid port (1-65535).");
            return null;
        }

        if (host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out var v6) &&
            v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return (v6.ToString(), port);
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            errors.Add(key, $"'{text}': write an IPv6 address in brackets, like [2001:db8::5]:22.");
            return null;
        }

        if (IPAddress.TryParse(host, out var v4) && host.Count(c => c == '.') == 3)
        {
            return (v4.ToString(), port);
        }

        if (host.Contains('*', StringComparison.Ordinal) || HostPattern.Check(host) is not null)
        {
            errors.Add(key, $"'{text}': '{host}' is neither an IP address nor a host name.");
            return null;
        }

        return (host.ToLowerInvariant(), port);
    }

    private static TcpHealthCheck? CompileHealth(TcpHealthCheckOptions health, string key, ConfigErrors errors)
    {
        var configured = health.Interval is not null || health.Timeout is not null || health.Fall is not null || health.Rise is not null;
        if (!(health.Enabled ?? configured))
        {
            return null;
        }

        var interval = Duration.Parse(health.Interval, TimeSpan.FromSeconds(2), key + ":Interval", errors, TimeSpan.FromMilliseconds(50));
        var timeout = Duration.Parse(health.Timeout, TimeSpan.FromSeconds(2), key + ":Timeout", errors, TimeSpan.FromMilliseconds(10));
        if (health.Fall is < 1)
        {
            errors.Add(key + ":Fall", $"{health.Fall} is too small; a destination is taken out after 1 or more failed probes.");
        }

        if (health.Rise is < 1)
        {
            errors.Add(key + ":Rise", $"{health.Rise} is too small; a destination is put back after 1 or more successful probes.");
        }

        return new TcpHealthCheck(interval, timeout, health.Fall ?? 3, health.Rise ?? 2);
    }

    private static T Invalid<T>(ConfigErrors errors, string key, string message, T fallback)
    {
        errors.Add(key, message);
        return fallback;
    }
}

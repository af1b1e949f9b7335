using System.Net;
using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>Validates the listeners and the management listener, including port clashes between them.</summary>
internal static class ListenerCompiler
{
    public static readonly string[] Protocols = ["http", "h2c", "https", "tcp"];

    public static List<ListenerDefinition> CompileListeners(GatewayOptions options, ConfigErrors errors)
    {
        var result = new List<ListenerDefinition>();
        foreach (var (name, listener) in options.Listeners.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var key = $"Gateway:Listeners:{name}";
            var protocol = (listener.Protocol ?? "http").Trim().ToLowerInvariant();
            if (!Protocols.Contains(protocol))
            {
                errors.Add(key + ":Protocol", $"'{listener.Protocol}' is not a supported protocol; use one of: {string.Join(", ", Protocols)}.");
            }

            if (listener.Port is null)
            {
                errors.Add(key + ":Port", "is required (the TCP port to listen on, like HAProxy's bind *:80).");
                continue;
            }

            var nonTls = CompileNonTls(listener, protocol, key + ":NonTls", errors);
            if (TryAddress(listener.Address ?? "*", key + ":Address", errors, out var address, out var localhost) &&
                CheckPort(listener.Port.Value, key + ":Port", errors))
            {
                result.Add(new ListenerDefinition(name, ListenerKind.Public, protocol, address, localhost, listener.Port.Value)
                {
                    AcceptProxy = listener.AcceptProxy ?? false,
                    NonTls = nonTls,
                });
            }
        }

        return result;
    }

    private static NonTlsAction CompileNonTls(ListenerOptions listener, string protocol, string key, ConfigErrors errors)
    {
        switch (listener.NonTls?.Trim().ToLowerInvariant())
        {
            case null:
                return NonTlsAction.Refuse;
            case var _ when protocol != "https":
                errors.Add(key, "only applies to https listeners (what they do with bytes that are not TLS); remove it.");
                return NonTlsAction.Refuse;
            case "refuse":
                return NonTlsAction.Refuse;
            case "http":
                return NonTlsAction.Http;
            default:
                errors.Add(key, $"'{listener.NonTls}' is not an action for non-TLS bytes; use refuse (close the connection) or http (serve plain HTTP).");
                return NonTlsAction.Refuse;
        }
    }

    public static ListenerDefinition? CompileManagement(ManagementOptions options, ConfigErrors errors)
    {
        const string key = "Gateway:Management";
        if (TryAddress(options.Address ?? "127.0.0.1", key + ":Address", errors, out var address, out var localhost) &&
            CheckPort(options.Port ?? 9090, key + ":Port", errors))
        {
            return new ListenerDefinition(ListenerDefinition.ManagementName, ListenerKind.Management, "http", address, localhost, options.Port ?? 9090);
        }

        return null;
    }

    public static void CheckClashes(IReadOnlyList<ListenerDefinition> all, ConfigErrors errors)
    {
        for (var i = 0; i < all.Count; i++)
        {
            for (var j = i + 1; j < all.Count; j++)
            {
                if (all[i].ClashesWith(all[j]))
                {
                    errors.Add(KeyOf(all[j]) + ":Port", $"{all[j].Display} clashes with {Describe(all[i])} on {all[i].Display}; give each listener its own port.");
                }
            }
        }
    }

    private static string KeyOf(ListenerDefinition listener) => listener.Kind switch
    {
        ListenerKind.Management => "Gateway:Management",
        ListenerKind.Demo => "Gateway:DemoUpstream",
        _ => $"Gateway:Listeners:{listener.Name}",
    };

    private static string Describe(ListenerDefinition listener) => listener.Kind switch
    {
        ListenerKind.Management => "the management listener",
        ListenerKind.Demo => "the demo upstream",
        _ => $"listener '{listener.Name}'",
    };

    private static bool TryAddress(string text, string key, ConfigErrors errors, out IPAddress? address, out bool localhost)
    {
        address = null;
        localhost = false;
        var value = text.Trim();
        if (value is "*" or "")
        {
            return true;
        }

        if (value.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            localhost = true;
            return true;
        }

        if (IPAddress.TryParse(value.Trim('[', ']'), out var parsed))
        {
            address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
            return true;
        }

        errors.Add(key, $"'{text}' is not an IP address; use an address such as 127.0.0.1 or ::1, '*' for every address, or 'localhost'.");
        return false;
    }

    private static bool CheckPort(int port, string key, ConfigErrors errors)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add(key, $"{port} is not a TCP port; use 1-65535 (0 picks a free port).");
            return false;
        }

        return true;
    }
}

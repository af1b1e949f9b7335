using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Tcp;

/// <summary>Gateway sections for TCP tests: listeners on free ports, TCP routes and clusters.</summary>
internal static class TcpConfigs
{
    /// <summary>A tcp listener "ssh" whose one route "git" goes to the destinations (named d0, d1...), beside an "http" listener.</summary>
    public static JsonObject Ssh(params IPEndPoint[] destinations) => new()
    {
        ["Listeners"] = new JsonObject { ["http"] = Listener("http"), ["ssh"] = Listener("tcp") },
        ["Tcp"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["git"] = Route("ssh") },
            ["Clusters"] = new JsonObject { ["git"] = Cluster(destinations) },
        },
    };

    public static JsonObject Listener(string protocol) => new() { ["Address"] = "127.0.0.1", ["Port"] = 0, ["Protocol"] = protocol };

    public static JsonObject Route(string listener, string cluster = "git", params string[] sni)
    {
        var route = new JsonObject { ["Listeners"] = new JsonArray(listener), ["Cluster"] = cluster };
        if (sni.Length > 0)
        {
            route["Sni"] = new JsonArray([.. sni.Select(s => (JsonNode)s)]);
        }

        return route;
    }

    public static JsonObject Cluster(params IPEndPoint[] destinations)
    {
        var list = new JsonObject();
        for (var i = 0; i < destinations.Length; i++)
        {
            list["d" + i] = new JsonObject { ["Address"] = destinations[i].ToString() };
        }

        return new JsonObject { ["Destinations"] = list };
    }

    /// <summary>An access list "ops" (#700) holding <paramref name="entries"/>.</summary>
    public static JsonObject Access(params string[] entries) => new()
    {
        ["Lists"] = new JsonObject { ["ops"] = new JsonObject { ["Id"] = 700, ["Entries"] = new JsonArray([.. entries.Select(e => (JsonNode)e)]) } },
    };

    /// <summary>A loopback port nothing listens on.</summary>
    public static IPEndPoint Closed() => new(IPAddress.Loopback, TestSupport.FreePort.Get());
}

using System.Text.Json.Nodes;

namespace Gateway.Tests.Tls;

/// <summary>Gateway sections for TLS tests: an http and an https listener on free ports and one catch-all route.</summary>
internal static class TlsConfigs
{
    public static JsonObject Gateway(Uri backend, JsonObject tls, JsonObject? routes = null) => new()
    {
        ["Listeners"] = new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 },
            ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0, ["Protocol"] = "https" },
        },
        ["Routes"] = routes ?? new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "app" } },
        ["Clusters"] = new JsonObject { ["app"] = TestSupport.TestGateway.Cluster(backend) },
        ["Tls"] = tls,
    };

    public static JsonObject Certificates(params (string Name, string Path)[] entries)
    {
        var certificates = new JsonObject();
        foreach (var (name, path) in entries)
        {
            certificates[name] = new JsonObject { ["Path"] = path };
        }

        return new JsonObject { ["Certificates"] = certificates };
    }
}

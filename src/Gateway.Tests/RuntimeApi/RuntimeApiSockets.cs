using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.RuntimeApi;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.RuntimeApi;

/// <summary>Where a test gateway's runtime API listens, and a few helpers around it.</summary>
internal static class RuntimeApiSockets
{
    public static EndPoint Unix(this TestGateway gateway) =>
        new UnixDomainSocketEndPoint(gateway.Services.GetRequiredService<RuntimeApiHost>().SocketPath!);

    public static EndPoint Tcp(this TestGateway gateway) => gateway.Services.GetRequiredService<RuntimeApiHost>().TcpEndPoint!;

    public static string SocketPath(this TestGateway gateway) => gateway.Services.GetRequiredService<RuntimeApiHost>().SocketPath!;

    /// <summary>A minimal gateway section with lists "knoc" (#500, map #501) and "office" (#502), and one cluster.</summary>
    public static JsonObject Config(JsonObject? runtimeApi = null, Uri? backend = null) => new()
    {
        ["Access"] = new JsonObject
        {
            ["Lists"] = new JsonObject
            {
                ["knoc"] = new JsonObject { ["Id"] = 500, ["TokenMapId"] = 501 },
                ["office"] = new JsonObject { ["Id"] = 502, ["Entries"] = new JsonArray("10.0.0.0/8") },
            },
        },
        ["Routes"] = new JsonObject { ["app"] = new JsonObject { ["Hosts"] = new JsonArray("app.test"), ["Cluster"] = "app" } },
        ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend ?? new Uri("http://127.0.0.1:9")) },
        ["RuntimeApi"] = runtimeApi ?? new JsonObject { ["Tcp"] = new JsonObject { ["Port"] = 0, ["Level"] = "admin" } },
    };

    /// <summary><c>stat -c FORMAT path</c>: owner ids and the file type, which .NET does not expose.</summary>
    public static async Task<string> StatAsync(string format, string path)
    {
        var start = new ProcessStartInfo("stat") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(format);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.TestSupport;

/// <summary>Compiles a Gateway section in memory, as start-up and <c>validate</c> do, on a valid base of one listener.</summary>
internal static class ConfigCompile
{
    public static (GatewayConfig? Config, IReadOnlyList<ConfigError> Errors) Gateway(string gatewayJson)
    {
        var gateway = JsonNode.Parse(gatewayJson)!.AsObject();
        gateway["Listeners"] ??= new JsonObject { ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18080 } };
        var json = new JsonObject { ["Gateway"] = gateway }.ToJsonString();
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return GatewayConfigCompiler.Compile(configuration, [], Path.GetTempPath(), revision: 1);
    }

    public static string Errors(string gatewayJson) => string.Join(Environment.NewLine, Gateway(gatewayJson).Errors);
}

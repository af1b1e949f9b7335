using System.Text.Json.Nodes;
using Gateway.Configuration;

namespace Gateway.Tests.TestSupport;

/// <summary>The files under deploy/, read as the tools that use them would.</summary>
internal static class DeployFiles
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([RepositoryPaths.Root, "deploy", .. parts]);

    /// <summary>Every document of every YAML file in a folder, by file name.</summary>
    public static Dictionary<string, IReadOnlyList<YamlMap>> Yaml(string folder) =>
        Directory.GetFiles(Path(folder), "*.yaml").Concat(Directory.GetFiles(Path(folder), "*.yml"))
            .ToDictionary(file => System.IO.Path.GetFileName(file), file => (IReadOnlyList<YamlMap>)YamlSubset.ParseDocuments(File.ReadAllText(file)).Cast<YamlMap>().ToList());

    /// <summary>Compiles a Gateway config file's text as start-up would (ports need not be free).</summary>
    public static GatewayConfig Compile(string json)
    {
        var gateway = JsonNode.Parse(json)!["Gateway"]!.ToJsonString();
        var (config, errors) = ConfigCompile.Gateway(gateway);
        Assert.True(config is not null, string.Join(Environment.NewLine, errors));
        return config!;
    }

    public static int PortOf(GatewayConfig config, string listener) =>
        listener == "management" ? config.Management.Port : config.Listeners.Single(l => l.Name == listener).Port;
}

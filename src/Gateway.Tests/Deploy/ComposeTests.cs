using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Configuration;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>deploy/compose: Gateway in front of HAProxy, with PostgreSQL; checked without a Docker engine.</summary>
public sealed partial class ComposeTests
{
    private readonly YamlMap _compose = DeployFiles.Yaml("compose")["docker-compose.yml"].Single();

    private YamlMap Service(string name) => _compose.Map("services").Map(name);

    private YamlMap Gateway => Service("gateway");

    private GatewayConfig Config => DeployFiles.Compile(File.ReadAllText(DeployFiles.Path("compose", "config", "appsettings.json")));

    [Fact]
    public void Gateway_PublishesThePortsItsConfigServes_AndRunsReadOnlyWithItsStateVolume()
    {
        var config = Config;
        var published = Gateway.List("ports").Cast<string>().Select(p => int.Parse(p.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var image = Dockerfile.Parse(Path.Combine(RepositoryPaths.Root, "Dockerfile"))[^1].Environment();

        Assert.Equal([DeployFiles.PortOf(config, "http"), DeployFiles.PortOf(config, "https"), config.Management.Port], published);
        Assert.Contains("127.0.0.1:9090:9090", Gateway.List("ports").Cast<string>());
        Assert.Equal("true", Gateway.Text("read_only"));
        Assert.Contains("/tmp", Gateway.List("tmpfs").Cast<string>());
        Assert.Contains($"gateway-state:{image["Gateway__StateDirectory"]}", Gateway.List("volumes").Cast<string>());
        Assert.Contains("./config:/app/config:ro", Gateway.List("volumes").Cast<string>());
        Assert.Equal("../..", Gateway.Map("build").Text("context"));
        Assert.True(Duration.TryParse(Gateway.Text("stop_grace_period"), out var grace));
        Assert.True(Duration.TryParse(Gateway.Map("environment").Text("Gateway__Shutdown__DrainTimeout"), out var drain));
        Assert.True(grace > drain, "docker stop waits longer than the drain");
    }

    [Fact]
    public void Clusters_PointAtComposeServices_AndTheFallbackAtHAProxysFrontend()
    {
        var config = Config;
        var haproxy = File.ReadAllText(DeployFiles.Path("compose", "haproxy", "haproxy.cfg"));
        var bind = BindPort().Match(haproxy).Groups["port"].Value;

        Assert.Equal("haproxy", config.FallbackClusterId);
        var fallback = config.Clusters["haproxy"].Destinations.Single().Address;
        Assert.Equal(("haproxy", bind), (fallback.Host, fallback.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(bind, Service("haproxy").List("expose").Cast<string>());
        Assert.All(config.Clusters.Values.SelectMany(c => c.Destinations), d => Assert.True(_compose.Map("services").ContainsKey(d.Address.Host), d.Address.ToString()));
        Assert.Contains("postgres", Gateway.Map("depends_on").Keys);
        Assert.Equal("service_healthy", Gateway.Map("depends_on").Map("postgres").Text("condition"));
        Assert.True(File.Exists(DeployFiles.Path("compose", _compose.Map("secrets").Map("postgres-password").Text("file"))));
    }

    [Fact]
    public async Task HAProxyConfig_PassesHAProxysOwnCheck()
    {
        var start = new ProcessStartInfo("haproxy", ["-c", "-f", DeployFiles.Path("compose", "haproxy", "haproxy.cfg")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var haproxy = Process.Start(start)!;
        var output = await haproxy.StandardOutput.ReadToEndAsync() + await haproxy.StandardError.ReadToEndAsync();
        await haproxy.WaitForExitAsync();

        Assert.True(haproxy.ExitCode == 0, output);
    }

    [GeneratedRegex(@"^\s*bind\s+:(?<port>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex BindPort();
}

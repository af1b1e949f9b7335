using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>deploy/systemd/gateway.service: what systemd would run, and how it stops it.</summary>
public sealed class SystemdUnitTests
{
    private readonly Dictionary<string, List<string>> _service = Section(File.ReadAllLines(DeployFiles.Path("systemd", "gateway.service")), "Service");

    private string One(string key) => Assert.Single(_service[key]);

    [Fact]
    public void ExecStart_IsAValidGatewayCommandLine_ThatRunsTheGateway_AfterValidatingTheSameFile()
    {
        var start = One("ExecStart").Split(' ');
        var check = One("ExecStartPre").Split(' ');
        var run = GatewayCommandLine.Parse(start[2..]);
        var validate = GatewayCommandLine.Parse(check[2..]);

        Assert.Equal(("/usr/bin/dotnet", "/opt/gateway/Gateway.dll"), (start[0], start[1]));
        Assert.Equal((null, null, "/etc/gateway/appsettings.json"), (run.Error, run.Command, run.ConfigPath));
        Assert.Equal((null, "validate", run.ConfigPath), (validate.Error, validate.Command, validate.ConfigPath));
        Assert.Equal(start[1], check[1]);
        Assert.Equal(Path.GetDirectoryName(start[1]), One("WorkingDirectory"));
    }

    [Fact]
    public void Stopping_SendsSigterm_AndWaitsLongerThanTheDrain()
    {
        Assert.Equal("SIGTERM", One("KillSignal"));
        Assert.True(Duration.TryParse(One("TimeoutStopSec"), out var timeout));
        Assert.True(timeout > ShutdownSettings.Default.Total, $"TimeoutStopSec {timeout} must exceed the default shutdown {ShutdownSettings.Default.Total}");
        Assert.Equal(["1", "2"], One("RestartPreventExitStatus").Split(' '));
    }

    [Fact]
    public void StateDirectory_IsTheOneTheGatewayIsToldToUse_AndNothingElseIsWritable()
    {
        var environment = _service["Environment"].Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);

        Assert.Equal("/var/lib/" + One("StateDirectory"), environment["Gateway__StateDirectory"]);
        Assert.Equal("0700", One("StateDirectoryMode"));
        Assert.Equal("strict", One("ProtectSystem"));
        Assert.Equal("CAP_NET_BIND_SERVICE", One("AmbientCapabilities"));
        Assert.NotEqual("root", One("User"));
        Assert.False(_service.ContainsKey("MemoryDenyWriteExecute"), "the .NET JIT needs writable executable memory");
    }

    [Fact]
    public async Task ShippedConfig_PassesTheUnitsValidateStep()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await GatewayCommandLine.Parse(["validate", "--config", RepositoryPaths.ShippedConfig]).RunCommandAsync(output, errors);

        Assert.True(exit == 0, errors.ToString());
    }

    private static Dictionary<string, List<string>> Section(string[] lines, string name)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var inside = false;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                inside = line == $"[{name}]";
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"not a key=value line: {line}");
            if (inside)
            {
                var key = line[..equals];
                (result.TryGetValue(key, out var values) ? values : result[key] = []).Add(line[(equals + 1)..]);
            }
        }

        return result;
    }
}

using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.RuntimeApi.AdminApi;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>The runtime API and admin API settings: every mistake named by its key, with the fix, all at once.</summary>
public sealed class RuntimeApiConfigTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-rtconfig-" + Guid.NewGuid().ToString("N")[..12]);

    public RuntimeApiConfigTests() => Directory.CreateDirectory(_directory);

    public static TheoryData<string, string> BrokenSettings => new()
    {
        { """{"RuntimeApi":{"Socket":{"Mode":"rw-------"}}}""", "Gateway:RuntimeApi:Socket:Mode: 'rw-------' is not an octal file mode such as 600" },
        { """{"RuntimeApi":{"Socket":{"Mode":"1777"}}}""", "Gateway:RuntimeApi:Socket:Mode: '1777' is not an octal file mode" },
        { """{"RuntimeApi":{"Socket":{"Level":"root"}}}""", "Gateway:RuntimeApi:Socket:Level: 'root' is not a level; use user (read only), operator (lists and maps) or admin (everything)." },
        { """{"RuntimeApi":{"Socket":{"User":"no-such-user-gw"}}}""", "Gateway:RuntimeApi:Socket:User: 'no-such-user-gw' is not a user on this system" },
        { """{"RuntimeApi":{"Socket":{"Group":"no-such-group-gw"}}}""", "Gateway:RuntimeApi:Socket:Group: 'no-such-group-gw' is not a group on this system" },
        { """{"RuntimeApi":{"Socket":{"Path":"/tmp/""" + new string('x', 120) + """.sock"}}}""", "a Unix socket path holds at most 107" },
        { """{"RuntimeApi":{"Tcp":{"Address":"10.0.0.300","Port":9999}}}""", "Gateway:RuntimeApi:Tcp:Address: '10.0.0.300' is not an IP address" },
        { """{"RuntimeApi":{"Tcp":{"Port":70000}}}""", "Gateway:RuntimeApi:Tcp:Port: 70000 is not a TCP port" },
        { """{"RuntimeApi":{"Tcp":{"Port":18080}}}""", "Gateway:RuntimeApi:Tcp:Port: 18080 is already the port of listener 'http'" },
        { """{"RuntimeApi":{"Tcp":{"Port":9999,"Level":"god"}}}""", "Gateway:RuntimeApi:Tcp:Level: 'god' is not a level" },
        { """{"RuntimeApi":{"MaxConnections":0}}""", "Gateway:RuntimeApi:MaxConnections: 0 is too small" },
        { """{"RuntimeApi":{"Timeout":"soon"}}""", "Gateway:RuntimeApi:Timeout: 'soon' is not a duration" },
        { """{"RuntimeApi":{"Socket":{"Pth":"x"}}}""", "Gateway:RuntimeApi:Socket:Pth: is not a known setting; did you mean 'Path'?" },
        { """{"AdminApi":{"Keys":{"ops":{"Level":"admin"}}}}""", "Gateway:AdminApi:Keys:ops:Hash: is required: run `gateway hash-key`" },
        { """{"AdminApi":{"Keys":{"ops":{"Hash":"plaintext-key"}}}}""", "Gateway:AdminApi:Keys:ops:Hash: is not a key hash; it must be sha256: and 64 hex digits" },
        { """{"AdminApi":{"Keys":{"ops":{"Hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000","Level":"boss"}}}}""", "Gateway:AdminApi:Keys:ops:Level: 'boss' is not a level" },
        { """{"AdminApi":{"Keys":{"o p":{"Hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}}}}""", "Gateway:AdminApi:Keys:o p: 'o p' is not a key name" },
    };

    [Theory]
    [MemberData(nameof(BrokenSettings))]
    public async Task Validate_BrokenSetting_NamesTheKeyAndTheFix(string gateway, string expected)
    {
        var (exit, errors) = await ValidateAsync(gateway);

        Assert.Equal(1, exit);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralRuntimeApiErrors_AllReportedAtOnce()
    {
        var (exit, errors) = await ValidateAsync("""{"RuntimeApi":{"Socket":{"Mode":"9","Level":"x"},"Tcp":{"Port":-1}},"AdminApi":{"Keys":{"k":{"Hash":"x"}}}}""");

        Assert.Equal(1, exit);
        foreach (var key in new[] { "Socket:Mode", "Socket:Level", "Tcp:Port", "AdminApi:Keys:k:Hash" })
        {
            Assert.Contains(key, errors, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_FullRuntimeApiSection_IsValid()
    {
        var key = ApiKeys.HashOf(ApiKeys.NewKey());
        var (exit, errors) = await ValidateAsync("""
            {"RuntimeApi":{"Socket":{"Path":"run/admin.sock","Mode":"660","User":"root","Group":"0","Level":"operator"},
             "Tcp":{"Address":"127.0.0.1","Port":19999,"Level":"user"},"Timeout":"30s","MaxConnections":5},
             "AdminApi":{"Keys":{"ops":{"Hash":"KEY"},"reader":{"Hash":"KEY","Level":"user"}}}}
            """.Replace("KEY", key, StringComparison.Ordinal));

        Assert.True(exit == 0, errors);
    }

    [Fact]
    public async Task HashKey_NoInput_PrintsANewKeyAndItsHash()
    {
        var output = new StringWriter();

        var exit = await HashKeyCommand.RunAsync(new StringReader(string.Empty), inputRedirected: false, output, new StringWriter());

        var lines = output.ToString().Split('\n');
        Assert.Equal(0, exit);
        Assert.StartsWith("key:  " + ApiKeys.KeyPrefix, lines[0], StringComparison.Ordinal);
        Assert.Equal("hash: " + ApiKeys.HashOf(lines[0]["key:  ".Length..]), lines[1]);
        Assert.True(ApiKeys.TryParseHash(lines[1]["hash: ".Length..], out _));
    }

    [Theory]
    [InlineData("a-key-from-elsewhere-0123456789\n", 0)]
    [InlineData("short\n", 2)]
    [InlineData("", 2)]
    public async Task HashKey_KeyOnStandardInput_HashesItOrRefusesAWeakOne(string input, int expectedExit)
    {
        var output = new StringWriter();

        var exit = await HashKeyCommand.RunAsync(new StringReader(input), inputRedirected: true, output, new StringWriter());

        Assert.Equal(expectedExit, exit);
        if (exit == 0)
        {
            Assert.StartsWith("hash: " + ApiKeys.HashOf(input.Trim()), output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(input.Trim(), output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CommandLine_HashKey_IsAnOfflineCommand()
    {
        var line = GatewayCommandLine.Parse(["hash-key"]);

        Assert.Null(line.Error);
        Assert.Equal("hash-key", line.Command);
    }

    private async Task<(int Exit, string Errors)> ValidateAsync(string gateway)
    {
        var node = JsonNode.Parse(gateway)!.AsObject();
        node["StateDirectory"] = Path.Combine(_directory, "state");
        node["Management"] = new JsonObject { ["Port"] = 19090 };
        node["Listeners"] = new JsonObject { ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18080 } };
        var path = Path.Combine(_directory, "appsettings.json");
        await File.WriteAllTextAsync(path, TestGateway.Serialize(node));
        var errors = new StringWriter();
        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", path]), new StringWriter(), errors);
        return (exit, errors.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

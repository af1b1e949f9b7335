using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Configuration;

/// <summary>Each broken configuration gives its own message, naming the key, and `validate` exits non-zero.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-validate-" + Guid.NewGuid().ToString("N")[..12]);

    public ValidationTests() => Directory.CreateDirectory(Path.Combine(_directory, "conf.d"));

    public static TheoryData<string, string, string> BrokenConfigs => new()
    {
        { "unknown cluster", """{"Routes":{"app":{"Cluster":"nope"}}}""", "Gateway:Routes:app:Cluster: 'nope' is not a cluster" },
        { "missing cluster", """{"Routes":{"app":{"Hosts":["a.example.com"]}}}""", "Gateway:Routes:app:Cluster: is required" },
        { "typo in a key", """{"Routes":{"app":{"Hsots":["a.example.com"],"Cluster":"web"}}}""", "Gateway:Routes:app:Hsots: is not a known setting; did you mean 'Hosts'?" },
        { "port not a number", """{"Listeners":{"http":{"Port":"eighty"}}}""", "Gateway:Listeners:http:Port: 'eighty' is not a whole number." },
        { "port out of range", """{"Listeners":{"http":{"Port":70000}}}""", "Gateway:Listeners:http:Port: 70000 is not a TCP port" },
        { "bad listen address", """{"Listeners":{"http":{"Address":"10.0.0.300","Port":8080}}}""", "Gateway:Listeners:http:Address: '10.0.0.300' is not an IP address" },
        { "port clash", """{"Listeners":{"http":{"Address":"127.0.0.1","Port":8080},"other":{"Address":"*","Port":8080}}}""", "Gateway:Listeners:other:Port: *:8080 clashes with listener 'http' on 127.0.0.1:8080" },
        { "clash with management", """{"Management":{"Port":8080},"Listeners":{"http":{"Port":8080}}}""", "Gateway:Management:Port: 127.0.0.1:8080 clashes with listener 'http'" },
        { "wildcard in the middle", """{"Routes":{"app":{"Hosts":["app.*.example.com"],"Cluster":"web"}}}""", "Gateway:Routes:app:Hosts:0: 'app.*.example.com' has a wildcard in the wrong place" },
        { "partial wildcard", """{"Routes":{"app":{"Hosts":["*app.example.com"],"Cluster":"web"}}}""", "Gateway:Routes:app:Hosts:0: '*app.example.com' has a wildcard in the wrong place" },
        { "HashCookie affinity", """{"Clusters":{"web":{"Affinity":{"Policy":"HashCookie"}}}}""", "Gateway:Clusters:web:Affinity:Policy: HashCookie needs the System.IO.Hashing assembly" },
        { "destination without scheme", """{"Clusters":{"web":{"Destinations":{"s1":{"Address":"192.168.0.200:443"}}}}}""", "'192.168.0.200:443' is not an absolute http:// or https:// URL (write http://192.168.0.200:443 or https://192.168.0.200:443)" },
        { "bad duration", """{"Clusters":{"web":{"Timeouts":{"Server":"soon"}}}}""", "Gateway:Clusters:web:Timeouts:Server: 'soon' is not a duration" },
        { "unknown balance", """{"Clusters":{"web":{"LoadBalancing":"fastest"}}}""", "Gateway:Clusters:web:LoadBalancing: 'fastest' is not a load-balancing policy" },
        { "unknown protocol", """{"Listeners":{"http":{"Port":8080,"Protocol":"gopher"}}}""", "Gateway:Listeners:http:Protocol: 'gopher' is not a supported protocol" },
        { "unknown fallback", """{"Fallback":{"Cluster":"haproxy"}}""", "Gateway:Fallback:Cluster: 'haproxy' is not a cluster" },
        { "prefix and pattern", """{"Routes":{"app":{"PathPrefix":"/a","Path":"/b","Cluster":"web"}}}""", "Gateway:Routes:app: sets both PathPrefix and Path" },
        { "bad route pattern", """{"Routes":{"app":{"Path":"/items/{id","Cluster":"web"}}}""", "Gateway:Routes:app:Path: '/items/{id' is not a valid route pattern" },
        { "same match twice", """{"Routes":{"one":{"Hosts":["a.example.com"],"Cluster":"web"},"two":{"Hosts":["A.example.com"],"Cluster":"web"}}}""", "Gateway:Routes:two: matches exactly the same requests as Routes:one for host a.example.com" },
        { "overlapping host", """{"Routes":{"one":{"Hosts":["a.example.com","b.example.com"],"Cluster":"web"},"two":{"Hosts":["c.example.com","b.example.com"],"Cluster":"web"}}}""", "Gateway:Routes:two: matches exactly the same requests as Routes:one for host b.example.com" },
        { "missing CA file", """{"Clusters":{"web":{"Tls":{"CaFile":"/nonexistent/ca.pem"}}}}""", "Gateway:Clusters:web:Tls:CaFile: '/nonexistent/ca.pem' cannot be read" },
        { "route listener unknown", """{"Routes":{"app":{"Listeners":["https"],"Cluster":"web"}}}""", "Gateway:Routes:app:Listeners:0: 'https' is not a listener" },
        { "list written as object", """{"Routes":{"app":{"Hosts":{"x":"a.example.com"},"Cluster":"web"}}}""", "Gateway:Routes:app:Hosts:x: is a named entry, but this setting is a list" },
        { "list without id", """{"Access":{"Lists":{"wiki":{"Entries":["10.0.0.1"]}}}}""", "Gateway:Access:Lists:wiki:Id: is required" },
        { "duplicate list ids", """{"Access":{"Lists":{"a":{"Id":500},"b":{"Id":500}}}}""", "Gateway:Access:Lists:b:Id: #500 is already used by list 'a'" },
        { "token map id clash", """{"Access":{"Lists":{"a":{"Id":500,"TokenMapId":500}}}}""", "Gateway:Access:Lists:a:TokenMapId: #500 is already used by list 'a'" },
        { "bad list entry", """{"Access":{"Lists":{"a":{"Id":500,"Entries":["10.0.0.0/33"]}}}}""", "Gateway:Access:Lists:a:Entries:0: '10.0.0.0/33' is not a valid IPv4 or IPv6 address or CIDR prefix." },
        { "bad trusted proxy", """{"Access":{"TrustedProxies":["10.0.0.0/40"]}}""", "Gateway:Access:TrustedProxies:0: '10.0.0.0/40' is not an address or a CIDR network" },
        { "unknown policy", """{"Routes":{"app":{"Cluster":"web","Access":{"Policy":"ipkat","List":"x"}}}}""", "Gateway:Routes:app:Access:Policy: 'ipkat' is not a policy; use none, ip, kat or ip+kat." },
        { "policy without list", """{"Routes":{"app":{"Cluster":"web","Access":{"Policy":"kat"}}}}""", "Gateway:Routes:app:Access:List: is required for policy 'kat'" },
        { "unknown list", """{"Routes":{"app":{"Cluster":"web","Access":{"List":"nope"}}}}""", "Gateway:Routes:app:Access:List: 'nope' is not an access list" },
        { "bad reject status", """{"Access":{"Lists":{"a":{"Id":1}}},"Routes":{"app":{"Cluster":"web","Access":{"List":"a","Reject":{"Status":500}}}}}""", "Gateway:Routes:app:Access:Reject:Status: 500 is not a reject status; use 403 or 503." },
        { "redirect without url", """{"Access":{"Lists":{"a":{"Id":1}}},"Routes":{"app":{"Cluster":"web","Access":{"List":"a","Reject":{"Action":"redirect"}}}}}""", "Gateway:Routes:app:Access:Reject:Url: is required for the redirect action" },
        { "fallback reject without cluster", """{"Access":{"Lists":{"a":{"Id":1}}},"Routes":{"app":{"Cluster":"web","Access":{"List":"a","Reject":{"Action":"fallback"}}}}}""", "Gateway:Routes:app:Access:Reject:Cluster: is required for the fallback action" },
        { "token lifetime", """{"Access":{"Tokens":{"Lifetime":"0s"}}}""", "Gateway:Access:Tokens:Lifetime: '0s' is too short" },
        { "fallback cluster and status", """{"Fallback":{"Cluster":"web","Status":503}}""", "Gateway:Fallback: sets both Cluster and Status/Page" },
        { "reserved route id", """{"Routes":{"__fallback":{"Cluster":"web"}}}""", "Gateway:Routes:__fallback: route ids starting with '__' are reserved" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public async Task Validate_BrokenConfig_ReportsTheKeyAndExitsNonZero(string what, string gateway, string expected)
    {
        var path = WriteConfig(gateway);

        var (exit, output, errors) = await ValidateAsync(path);

        Assert.True(exit == 1, $"{what}: expected exit 1, got {exit}. {output}{errors}");
        Assert.Contains(expected, errors, StringComparison.Ordinal);
        Assert.Contains("Configuration is invalid", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralErrors_AreAllReportedAtOnce()
    {
        var path = WriteConfig("""{"Listeners":{"http":{"Port":"eighty"}},"Routes":{"app":{"Hsots":["x"],"Cluster":"nope"}},"Clusters":{"web":{"LoadBalancing":"fastest"}}}""");

        var (exit, _, errors) = await ValidateAsync(path);

        Assert.Equal(1, exit);
        Assert.Contains("Gateway:Listeners:http:Port", errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Routes:app:Hsots", errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Routes:app:Cluster", errors, StringComparison.Ordinal);
        Assert.Contains("Gateway:Clusters:web:LoadBalancing", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_InvalidJson_NamesTheFileAndLine()
    {
        var path = Path.Combine(_directory, "appsettings.json");
        await File.WriteAllTextAsync(path, "{ \"Gateway\": { \"Listeners\": { } ");

        var (exit, _, errors) = await ValidateAsync(path);

        Assert.Equal(1, exit);
        Assert.Contains("appsettings.json: cannot be read as JSON", errors, StringComparison.Ordinal);
        Assert.Contains("LineNumber", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingConfigFile_IsAnError()
    {
        var (exit, _, errors) = await ValidateAsync(Path.Combine(_directory, "absent.json"));

        Assert.Equal(1, exit);
        Assert.Contains("absent.json: the config file does not exist.", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SameIdInTwoFiles_IsAnError()
    {
        var path = WriteConfig("""{"Routes":{"app":{"Cluster":"web"}}}""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "conf.d", "10-app.json"), """{"Gateway":{"Routes":{"App":{"Hosts":["x.example.com"],"Cluster":"web"}}}}""");

        var (exit, _, errors) = await ValidateAsync(path);

        Assert.Equal(1, exit);
        Assert.Contains("Gateway:Routes:App: is defined in both", errors, StringComparison.Ordinal);
        Assert.Contains("10-app.json", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ConfDFilesAreMergedInNameOrder()
    {
        var path = WriteConfig("""{"Routes":{"app":{"Cluster":"web"}}}""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "conf.d", "20-b.json"), """{"Gateway":{"Clusters":{"b":{"Destinations":{"s":{"Address":"http://127.0.0.1:9"}}}},"Routes":{"b":{"Hosts":["b.example.com"],"Cluster":"b"}}}}""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "conf.d", "10-a.json"), """{"Gateway":{"Routes":{"a":{"Hosts":["a.example.com"],"Cluster":"web"}}}}""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "conf.d", "notes.txt"), "not json, not read");

        var (exit, output, errors) = await ValidateAsync(path);

        Assert.True(exit == 0, errors);
        Assert.Contains("3 route(s), 2 cluster(s)", output, StringComparison.Ordinal);
        Assert.Contains("10-a.json, ", output, StringComparison.Ordinal);
        Assert.True(output.IndexOf("10-a.json", StringComparison.Ordinal) < output.IndexOf("20-b.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_ValidConfig_ExitsZero()
    {
        var path = WriteConfig("""{"Routes":{"app":{"Hosts":["confluence.example.com"],"Cluster":"web"}}}""");

        var (exit, output, errors) = await ValidateAsync(path);

        Assert.True(exit == 0, errors);
        Assert.Contains("Configuration is valid", output, StringComparison.Ordinal);
    }

    private string WriteConfig(string gateway)
    {
        // A valid base (one listener, one cluster) that each case breaks in one place.
        var node = JsonNode.Parse(gateway)!.AsObject();
        node["Management"] ??= new JsonObject { ["Port"] = 19090 };
        node["Listeners"] ??= new JsonObject { ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18080 } };
        var clusters = node["Clusters"]?.AsObject() ?? [];
        node["Clusters"] = clusters;
        if (clusters["web"] is JsonObject web)
        {
            web["Destinations"] ??= new JsonObject { ["s1"] = new JsonObject { ["Address"] = "http://127.0.0.1:9" } };
        }
        else
        {
            clusters["web"] = new JsonObject { ["Destinations"] = new JsonObject { ["s1"] = new JsonObject { ["Address"] = "http://127.0.0.1:9" } } };
        }

        var path = Path.Combine(_directory, "appsettings.json");
        File.WriteAllText(path, TestGateway.Serialize(node));
        return path;
    }

    private static async Task<(int Exit, string Output, string Errors)> ValidateAsync(string path)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", path]), output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

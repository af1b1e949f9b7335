using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>Every broken TCP, listener or PROXY protocol setting is reported with its key and the fix.</summary>
public sealed class TcpValidationTests : IDisposable
{
    private const string Git = """ "Clusters":{"git":{"Destinations":{"d":{"Address":"127.0.0.1:2222"}}}} """;
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-tcpvalidate-").FullName;

    public static TheoryData<string, string, string> BrokenConfigs => new()
    {
        { "tcp listener without a route", """{"Listeners":{"ssh":{"Port":18022,"Protocol":"tcp"}}}""", "Gateway:Listeners:ssh:Protocol: is tcp but no route takes its connections" },
        { "route without listeners", "{\"Tcp\":{\"Routes\":{\"git\":{\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Listeners: is required" },
        { "route on an unknown listener", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"nope\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Listeners:0: 'nope' is not a listener" },
        { "route on an http listener", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"http\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Listeners:0: 'http' is an http listener; TCP routes take connections of tcp listeners" },
        { "https route without Sni", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"https\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Sni: is required on the https listener 'https'" },
        { "bad Sni", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"https\"],\"Sni\":[\"a.*.example.com\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Sni:0: 'a.*.example.com' has a wildcard in the wrong place" },
        { "Sni with a port", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"https\"],\"Sni\":[\"a.example.com:443\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:git:Sni:0: 'a.example.com:443' has a port" },
        { "HTTP cluster for a TCP route", """{"Tcp":{"Routes":{"git":{"Listeners":["ssh"],"Cluster":"web"}}}}""", "Gateway:Tcp:Routes:git:Cluster: 'web' is not a TCP cluster" },
        { "route without cluster", """{"Tcp":{"Routes":{"git":{"Listeners":["ssh"]}}}}""", "Gateway:Tcp:Routes:git:Cluster: is required" },
        { "two defaults on a listener", "{\"Tcp\":{\"Routes\":{\"a\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\"},\"b\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Listeners:ssh: has more than one TCP route without Sni (a, b)" },
        { "one name in two routes", "{\"Tcp\":{\"Routes\":{\"a\":{\"Listeners\":[\"https\"],\"Sni\":[\"x.example.com\"],\"Cluster\":\"git\"},\"b\":{\"Listeners\":[\"https\"],\"Sni\":[\"X.example.com\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Tcp:Routes:b:Sni: 'x.example.com' is also taken by route 'a'" },
        { "kat at layer 4", "{\"Access\":{\"Lists\":{\"ops\":{\"Id\":1}}},\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\",\"Access\":{\"Policy\":\"ip+kat\",\"List\":\"ops\"}}}," + Git + "}}", "Gateway:Tcp:Routes:git:Access:Policy: 'ip+kat' needs a session cookie, which TCP connections do not carry; use ip." },
        { "unknown list", "{\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\",\"Access\":{\"List\":\"nope\"}}}," + Git + "}}", "Gateway:Tcp:Routes:git:Access:List: 'nope' is not an access list" },
        { "fallback without cluster", "{\"Access\":{\"Lists\":{\"ops\":{\"Id\":1}}},\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\",\"Access\":{\"List\":\"ops\",\"Reject\":{\"Action\":\"fallback\"}}}}," + Git + "}}", "Gateway:Tcp:Routes:git:Access:Reject:Cluster: is required for the fallback action" },
        { "reject action", "{\"Access\":{\"Lists\":{\"ops\":{\"Id\":1}}},\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\",\"Access\":{\"List\":\"ops\",\"Reject\":{\"Action\":\"deny\"}}}}," + Git + "}}", "Gateway:Tcp:Routes:git:Access:Reject:Action: 'deny' is not a TCP reject action; use close or fallback." },
        { "destination without port", """{"Tcp":{"Clusters":{"git":{"Destinations":{"d":{"Address":"10.0.0.5"}}}}}}""", "Gateway:Tcp:Clusters:git:Destinations:d:Address: '10.0.0.5' is not host:port" },
        { "destination URL", """{"Tcp":{"Clusters":{"git":{"Destinations":{"d":{"Address":"http://10.0.0.5:22"}}}}}}""", "Gateway:Tcp:Clusters:git:Destinations:d:Address: 'http://10.0.0.5:22' is a URL; a TCP destination is host:port" },
        { "IPv6 without brackets", """{"Tcp":{"Clusters":{"git":{"Destinations":{"d":{"Address":"2001:db8::5:22"}}}}}}""", "write an IPv6 address in brackets" },
        { "port out of range", """{"Tcp":{"Clusters":{"git":{"Destinations":{"d":{"Address":"10.0.0.5:70000"}}}}}}""", "'10.0.0.5:70000' has no valid port (1-65535)" },
        { "no destinations", """{"Tcp":{"Clusters":{"git":{"LoadBalancing":"leastconn"}}}}""", "Gateway:Tcp:Clusters:git:Destinations: is empty" },
        { "balance", "{\"Tcp\":{\"Clusters\":{\"git\":{\"LoadBalancing\":\"source\",\"Destinations\":{\"d\":{\"Address\":\"127.0.0.1:22\"}}}}}}", "Gateway:Tcp:Clusters:git:LoadBalancing: 'source' is not a TCP load-balancing policy; use roundrobin or leastconn." },
        { "send-proxy version", "{\"Tcp\":{\"Clusters\":{\"git\":{\"SendProxy\":\"v3\",\"Destinations\":{\"d\":{\"Address\":\"127.0.0.1:22\"}}}}}}", "Gateway:Tcp:Clusters:git:SendProxy: 'v3' is not a PROXY protocol version; use v1, v2 or none." },
        { "connection limit", "{\"Tcp\":{\"Clusters\":{\"git\":{\"MaxConnectionsPerDestination\":0,\"Destinations\":{\"d\":{\"Address\":\"127.0.0.1:22\"}}}}}}", "Gateway:Tcp:Clusters:git:MaxConnectionsPerDestination: 0 is too small" },
        { "idle timeout", "{\"Tcp\":{\"Clusters\":{\"git\":{\"Timeouts\":{\"Idle\":\"forever\"},\"Destinations\":{\"d\":{\"Address\":\"127.0.0.1:22\"}}}}}}", "Gateway:Tcp:Clusters:git:Timeouts:Idle: 'forever' is not a duration" },
        { "health rise", "{\"Tcp\":{\"Clusters\":{\"git\":{\"HealthCheck\":{\"Rise\":0},\"Destinations\":{\"d\":{\"Address\":\"127.0.0.1:22\"}}}}}}", "Gateway:Tcp:Clusters:git:HealthCheck:Rise: 0 is too small" },
        { "AcceptProxy without trusted proxies", """{"Listeners":{"http":{"Port":18080,"AcceptProxy":true}}}""", "Gateway:Listeners:http:AcceptProxy: needs Gateway:Access:TrustedProxies" },
        { "NonTls on http", """{"Listeners":{"http":{"Port":18080,"NonTls":"http"}}}""", "Gateway:Listeners:http:NonTls: only applies to https listeners" },
        { "NonTls value", """{"Listeners":{"https":{"Port":18443,"Protocol":"https","NonTls":"redirect"}},"Tls":{"SelfSigned":{"Enabled":true}}}""", "Gateway:Listeners:https:NonTls: 'redirect' is not an action for non-TLS bytes" },
        { "HTTP route on a tcp listener", "{\"Routes\":{\"app\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"web\"}},\"Tcp\":{\"Routes\":{\"git\":{\"Listeners\":[\"ssh\"],\"Cluster\":\"git\"}}," + Git + "}}", "Gateway:Routes:app:Listeners:0: 'ssh' is a tcp listener, which does not speak HTTP" },
        { "typo under Tcp", """{"Tcp":{"Rotues":{"git":{"Cluster":"git"}}}}""", "Gateway:Tcp:Rotues: is not a known setting; did you mean 'Routes'?" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public async Task Validate_BrokenTcpConfig_ReportsTheKeyAndExitsNonZero(string what, string gateway, string expected)
    {
        var path = WriteConfig(gateway);
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", path]), output, errors);

        Assert.True(exit == 1, $"{what}: expected exit 1, got {exit}. {output}{errors}");
        Assert.Contains(expected, errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TheReadmeSetup_IsValid()
    {
        var path = WriteConfig("""
            {
              "Listeners": {
                "http": { "Port": 18080 },
                "https": { "Port": 18443, "Protocol": "https", "NonTls": "http" },
                "ssh": { "Port": 18022, "Protocol": "tcp" },
                "from-haproxy": { "Address": "127.0.0.1", "Port": 18444, "Protocol": "https", "AcceptProxy": true }
              },
              "Tls": { "SelfSigned": { "Enabled": true } },
              "Access": { "TrustedProxies": [ "127.0.0.1" ], "Lists": { "ops": { "Id": 500 } } },
              "Tcp": {
                "Routes": {
                  "kube": { "Listeners": [ "https" ], "Sni": [ ".kube.example.com" ], "Cluster": "kube" },
                  "vault": { "Listeners": [ "https" ], "Sni": [ "vault.example.com", "*.vault.example.com" ], "Cluster": "vault",
                             "Access": { "Policy": "ip", "List": "ops", "Reject": { "Action": "fallback", "Cluster": "haproxy" } } },
                  "git-ssh": { "Listeners": [ "ssh" ], "Cluster": "git-ssh", "Access": { "List": "ops" } }
                },
                "Clusters": {
                  "kube": { "Destinations": { "kube-1": { "Address": "10.0.0.1:443" }, "kube-2": { "Address": "10.0.0.2:443" } },
                            "LoadBalancing": "leastconn", "MaxConnectionsPerDestination": 128, "HealthCheck": { "Enabled": true } },
                  "vault": { "Destinations": { "v": { "Address": "vault.internal:8200" } }, "SendProxy": "v2" },
                  "git-ssh": { "Destinations": { "git": { "Address": "[2001:db8::22]:22" } }, "Timeouts": { "Connect": "3s", "Idle": "2h" } },
                  "haproxy": { "Destinations": { "old": { "Address": "127.0.0.1:8443" } }, "SendProxy": "v2" }
                }
              }
            }
            """);
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", path]), output, errors);

        Assert.True(exit == 0, $"{output}{errors}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteConfig(string gateway)
    {
        // An http, an https and a tcp listener, an HTTP cluster; each case breaks one thing.
        var node = JsonNode.Parse(gateway)!.AsObject();
        node["Management"] ??= new JsonObject { ["Port"] = 19090 };
        node["Listeners"] ??= new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18080 },
            ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18443, ["Protocol"] = "https" },
            ["ssh"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18022, ["Protocol"] = "tcp" },
        };
        node["Tls"] ??= new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true } };
        node["Clusters"] = new JsonObject { ["web"] = TestGateway.Cluster(new Uri("http://127.0.0.1:9")) };
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(path, TestGateway.Serialize(node));
        return path;
    }
}

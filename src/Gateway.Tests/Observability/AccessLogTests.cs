using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Observability;

/// <summary>The access log as an operator reads it: one line per request, in the documented text and JSON formats.</summary>
public sealed partial class AccessLogTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    // client peer:port [date] listener route cluster/destination Tq/Tw/Tc/Tr/Tt status bytes_out bytes_in decision reason error tls sni {host} "request"
    private const string Date = @"\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}\]";
    private const string Timer = @"(-1|\d+)";

    private JsonObject App(Uri destination, JsonObject? extra = null)
    {
        var cluster = TestGateway.Cluster(destination);
        foreach (var (key, value) in extra ?? [])
        {
            cluster[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["Routes"] = new JsonObject { ["app"] = new JsonObject { ["Hosts"] = new JsonArray("app.example.com"), ["Cluster"] = "web" } },
            ["Clusters"] = new JsonObject { ["web"] = cluster },
        };
    }

    [Fact]
    public async Task ProxiedRequest_TextLine_HasEveryFieldAndNoToken()
    {
        await using var gateway = await TestGateway.StartAsync(App(backends.A.Url));

        var response = await gateway.GetAsync("app.example.com", "/hello?kat=s3cr3t-token&x=1");
        var body = await response.Content.ReadAsByteArrayAsync();
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        var match = Regex.Match(line, $$"""
            ^127\.0\.0\.1 127\.0\.0\.1:(?<port>\d+) {{Date}} http app web/d0 (?<tq>\d+)/(?<tw>\d+)/(?<tc>\d+)/(?<tr>\d+)/(?<tt>\d+) 200 (?<out>\d+) 0 allow no-policy - - - \{app\.example\.com\} "GET /hello\?kat=\*\*\*&x=1 HTTP/1\.1"$
            """);
        Assert.True(match.Success, line);
        Assert.Equal(body.Length, int.Parse(match.Groups["out"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain("s3cr3t", await File.ReadAllTextAsync(gateway.AccessLogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoRoute_TextLine_Logs404WithoutRouteOrTimersPastTheGateway()
    {
        await using var gateway = await TestGateway.StartAsync(App(backends.A.Url));

        var response = await gateway.GetAsync("other.example.com", "/nothing");
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Matches($$"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {{Date}} http - -/- -1/-1/-1/-1/\d+ 404 52 0 - - - - - \{other\.example\.com\} "GET /nothing HTTP/1\.1"$""", line);
    }

    [Fact]
    public async Task DestinationRefusesConnections_TextLine_Logs502WithTheConnectNeverMade()
    {
        await using var gateway = await TestGateway.StartAsync(App(new Uri($"http://127.0.0.1:{FreePort.Get()}")));

        var response = await gateway.GetAsync("app.example.com", "/down");
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Matches($$"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {{Date}} http app web/d0 \d+/-1/-1/-1/\d+ 502 0 0 allow no-policy Request - - \{app\.example\.com\} "GET /down HTTP/1\.1"$""", line);
    }

    [Fact]
    public async Task DestinationTooSlow_TextLine_Logs504WithTheResponseNeverReceived()
    {
        await using var gateway = await TestGateway.StartAsync(App(backends.A.Url, new JsonObject { ["Timeouts"] = new JsonObject { ["Server"] = "200ms" } }));

        var response = await gateway.GetAsync("app.example.com", "/slow?delay=10000");
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Matches($$"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {{Date}} http app web/d0 \d+/\d+/\d+/-1/\d+ 504 0 0 allow no-policy RequestTimedOut - - \{app\.example\.com\} "GET /slow\?delay=10000 HTTP/1\.1"$""", line);
    }

    [Fact]
    public async Task PostedBody_IsCountedAsBytesIn()
    {
        await using var gateway = await TestGateway.StartAsync(App(backends.A.Url));
        var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = new ByteArrayContent(new byte[1000]) };
        request.Headers.Host = "app.example.com";

        using var response = await gateway.Client.SendAsync(request);
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches($"""^\S+ \S+ {Date} http app web/d0 \S+ 200 \d+ 1000 """, line);
    }

    [Fact]
    public async Task ManagementRequests_AreNotLogged()
    {
        await using var gateway = await TestGateway.StartAsync(App(backends.A.Url));
        using var management = gateway.CreateClient("management");

        await management.GetAsync("/healthz");
        await gateway.GetAsync("app.example.com", "/after");
        var lines = await gateway.WaitForAccessLogAsync(1);

        Assert.Single(lines);
        Assert.Contains("\"GET /after HTTP/1.1\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_EachLineIsAnObjectWithTheDocumentedFields()
    {
        var config = App(backends.A.Url);
        config["AccessLog"] = new JsonObject { ["Format"] = "json" };
        await using var gateway = await TestGateway.StartAsync(config);

        await gateway.GetAsync("app.example.com", "/json?KAT=abc");
        await gateway.GetAsync("nowhere.example.com", "/");
        var lines = await gateway.WaitForAccessLogAsync(2);

        using var proxied = JsonDocument.Parse(lines[0]);
        var p = proxied.RootElement;
        Assert.Equal(
            ["time", "type", "listener", "client_ip", "peer", "method", "host", "uri", "protocol", "route", "cluster", "destination", "decision", "reason",
             "policy", "list", "status", "bytes_in", "bytes_out", "tq_ms", "tw_ms", "tc_ms", "tr_ms", "tt_ms", "error", "tls_version", "sni"],
            p.EnumerateObject().Select(property => property.Name).ToArray());
        Assert.Equal(("http", "http", "127.0.0.1", "GET", "app.example.com", "/json?KAT=***", "HTTP/1.1"),
            (p.GetProperty("type").GetString(), p.GetProperty("listener").GetString(), p.GetProperty("client_ip").GetString(), p.GetProperty("method").GetString(),
             p.GetProperty("host").GetString(), p.GetProperty("uri").GetString(), p.GetProperty("protocol").GetString()));
        Assert.Equal(("app", "web", "d0", 200), (p.GetProperty("route").GetString(), p.GetProperty("cluster").GetString(), p.GetProperty("destination").GetString(), p.GetProperty("status").GetInt32()));
        Assert.Equal(("allow", "no-policy", "none"), (p.GetProperty("decision").GetString(), p.GetProperty("reason").GetString(), p.GetProperty("policy").GetString()));
        Assert.Equal(JsonValueKind.Null, p.GetProperty("tls_version").ValueKind);
        Assert.StartsWith("127.0.0.1:", p.GetProperty("peer").GetString(), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - p.GetProperty("time").GetDateTime().ToUniversalTime() < TimeSpan.FromMinutes(5));

        using var rejected = JsonDocument.Parse(lines[1]);
        var r = rejected.RootElement;
        Assert.Equal((404, JsonValueKind.Null, JsonValueKind.Null, -1.0, -1.0),
            (r.GetProperty("status").GetInt32(), r.GetProperty("route").ValueKind, r.GetProperty("decision").ValueKind, r.GetProperty("tq_ms").GetDouble(), r.GetProperty("tr_ms").GetDouble()));
    }

    [Fact]
    public async Task RejectedByThePolicy_TextLine_SaysDenyAndWhy()
    {
        await using var gateway = await TestGateway.StartAsync(AccessScenario.Config(backends.A.Url, "ip", "203.0.113.9"));

        var response = await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/wiki");
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Matches($$"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {{Date}} http confluence app/- -1/-1/-1/-1/\d+ 403 \d+ 0 deny ip-not-listed - - - \{confluence\.example\.com\} "GET /wiki HTTP/1\.1"$""", line);
    }

    [Fact]
    public async Task KatRedemption_LogsTheRedirectWithoutTheToken_ThenTheSessionRequest()
    {
        var config = AccessScenario.Config(backends.A.Url, "kat");
        config["AccessLog"] = new JsonObject { ["Format"] = "json" };
        await using var gateway = await TestGateway.StartAsync(config);
        var token = await AccessScenario.IssueAsync(gateway);

        var cookie = await AccessScenario.RedeemAsync(gateway.Client, token, path: "/page?x=1");
        (await AccessScenario.SendAsync(gateway.Client, AccessScenario.Host, "/page?x=1", cookie)).EnsureSuccessStatusCode();
        var lines = await gateway.WaitForAccessLogAsync(2);

        Assert.DoesNotContain(token, await File.ReadAllTextAsync(gateway.AccessLogFile), StringComparison.Ordinal);
        using var redeemed = JsonDocument.Parse(lines[0]);
        using var followed = JsonDocument.Parse(lines[1]);
        Assert.Equal(("/page?x=1&kat=***", 302, "allow", "allowed", "confluence"),
            (redeemed.RootElement.GetProperty("uri").GetString(), redeemed.RootElement.GetProperty("status").GetInt32(),
             redeemed.RootElement.GetProperty("decision").GetString(), redeemed.RootElement.GetProperty("reason").GetString(), redeemed.RootElement.GetProperty("list").GetString()));
        Assert.Equal((200, "allow", "allowed", "kat"),
            (followed.RootElement.GetProperty("status").GetInt32(), followed.RootElement.GetProperty("decision").GetString(),
             followed.RootElement.GetProperty("reason").GetString(), followed.RootElement.GetProperty("policy").GetString()));
    }

    [Fact]
    public async Task BehindATrustedProxy_ClientIpAndPeerDiffer()
    {
        var config = App(backends.A.Url);
        config["Access"] = new JsonObject { ["TrustedProxies"] = new JsonArray("127.0.0.1") };
        await using var gateway = await TestGateway.StartAsync(config);

        await AccessScenario.SendAsync(gateway.Client, "app.example.com", "/", configure: r => r.Headers.Add("X-Forwarded-For", "198.51.100.23"));
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.StartsWith("198.51.100.23 127.0.0.1:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsRequest_TextLine_CarriesTheTlsVersionAndSni()
    {
        var config = App(backends.A.Url);
        config["Listeners"] = new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 },
            ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0, ["Protocol"] = "https" },
        };
        config["Tls"] = new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true, ["Hosts"] = new JsonArray("app.example.com") } };
        await using var gateway = await TestGateway.StartAsync(config);
        using var client = TlsProbe.Client(gateway.Port("https"), root: null, acceptAny: true);

        var response = await client.GetAsync(new Uri("https://app.example.com/secure"));
        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches($$"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {{Date}} https app web/d0 \d+/\d+/\d+/\d+/\d+ 200 \d+ 0 allow no-policy - TLSv1\.[23] app\.example\.com \{app\.example\.com\} "GET /secure HTTP/(1\.1|2)"$""", line);
    }

    [Fact]
    public async Task Timers_NewConnectionCarriesTheConnectTime_PooledOneDoesNot()
    {
        await using var backend = await TestBackend.StartAsync("fresh");
        var config = App(backend.Url);
        config["AccessLog"] = new JsonObject { ["Format"] = "json" };
        await using var gateway = await TestGateway.StartAsync(config);

        await gateway.GetAsync("app.example.com", "/first?delay=50");
        await gateway.GetAsync("app.example.com", "/second");
        var lines = await gateway.WaitForAccessLogAsync(2);

        using var first = JsonDocument.Parse(lines[0]);
        using var second = JsonDocument.Parse(lines[1]);
        double Get(JsonDocument d, string name) => d.RootElement.GetProperty(name).GetDouble();
        Assert.True(Get(first, "tc_ms") > 0, lines[0]);
        Assert.True(Get(first, "tr_ms") >= 50, lines[0]);
        Assert.True(Get(first, "tt_ms") >= Get(first, "tq_ms") + Get(first, "tw_ms") + Get(first, "tc_ms") + Get(first, "tr_ms") - 0.01, lines[0]);
        Assert.Equal(0, Get(second, "tc_ms"));
        Assert.True(Get(second, "tw_ms") >= 0 && Get(second, "tr_ms") > 0, lines[1]);
    }
}

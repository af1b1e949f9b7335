using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Tcp;
using Gateway.Tcp.ProxyProtocol;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>
/// Listeners with <c>AcceptProxy</c>: a PROXY header from a trusted network names the client for both layers (the
/// HTTP access policy and X-Forwarded-For, and the TCP routes' IP policy); anyone else is refused.
/// </summary>
public sealed class ProxyProtocolTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("203.0.113.7"), 50123);
    private static readonly IPEndPoint Target = new(IPAddress.Parse("192.0.2.10"), 443);

    public static TheoryData<string> Versions => new() { "v1", "v2" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task HttpListener_HeaderFromTrustedPeer_NamesTheClientForForwardingAndThePolicy(string version)
    {
        await using var gateway = await TestGateway.StartAsync(HttpConfig());
        await using var connection = await TcpClientConnection.ConnectAsync(gateway.Port("edge"));

        await connection.SendAsync([.. Header(version, Client), .. Encoding.ASCII.GetBytes("GET /who HTTP/1.0\r\nHost: app.example.com\r\nX-Forwarded-For: 10.6.6.6\r\n\r\n")]);
        var response = await connection.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        var echo = JsonSerializer.Deserialize<EchoResponse>(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..], JsonSerializerOptions.Web)!;
        Assert.Equal("203.0.113.7", echo.Headers["X-Forwarded-For"]);
        Assert.True(gateway.Logs.Contains($"PROXY v{version[1]} header on listener edge from 127.0.0.1: client 203.0.113.7:50123."));
    }

    [Fact]
    public async Task HttpListener_HeaderNamingAnUnlistedClient_IsRefusedByTheHttpPolicy()
    {
        await using var gateway = await TestGateway.StartAsync(HttpConfig());
        await using var connection = await TcpClientConnection.ConnectAsync(gateway.Port("edge"));

        await connection.SendAsync([.. Header("v2", new IPEndPoint(IPAddress.Parse("198.51.100.1"), 1)), .. "GET / HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n"u8]);

        Assert.StartsWith("HTTP/1.1 403", await connection.ReadToEndAsync(), StringComparison.Ordinal);
        Assert.True(gateway.Logs.Contains("Access refused on route app for client 198.51.100.1 (peer 198.51.100.1)"));
    }

    [Theory]
    [InlineData("an untrusted peer with a good header", "127.0.0.2", "v1")]
    [InlineData("a trusted peer without a header", "127.0.0.1", "none")]
    [InlineData("a trusted peer with a malformed header", "127.0.0.1", "PROXY TCP4 203.0.113.7 192.0.2.10 1\r\n")]
    public async Task HttpListener_IsRefused(string what, string from, string header)
    {
        await using var gateway = await TestGateway.StartAsync(HttpConfig());
        await using var connection = await TcpClientConnection.ConnectAsync(gateway.Port("edge"), IPAddress.Parse(from));
        var prefix = header switch
        {
            "v1" => Header("v1", Client),
            "none" => [],
            _ => Encoding.ASCII.GetBytes(header),
        };

        await connection.SendAsync([.. prefix, .. "GET / HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n\r\n"u8]);

        Assert.Equal(string.Empty, await connection.ReadToEndAsync());
        Assert.True(gateway.Logs.Contains("Refused a connection on listener edge from " + from), what);
    }

    [Fact]
    public async Task HttpListener_SilentTrustedPeer_IsRefusedAfterTheInspectDelay()
    {
        var config = HttpConfig();
        config["Tcp"] = new JsonObject { ["InspectDelay"] = "200ms" };
        await using var gateway = await TestGateway.StartAsync(config);
        await using var connection = await TcpClientConnection.ConnectAsync(gateway.Port("edge"));

        Assert.True(await connection.ClosedByPeerAsync(TimeSpan.FromSeconds(10)));
        Assert.True(gateway.Logs.Contains("no complete PROXY header arrived in time"));
    }

    [Theory]
    [InlineData("203.0.113.7", "git")]
    [InlineData("198.51.100.1", "")]
    public async Task TcpListener_HeaderNamesTheClientForTheIpPolicy(string client, string expected)
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Listeners"]!["ssh"]!["AcceptProxy"] = true;
        config["Access"] = TcpConfigs.Access("203.0.113.0/24");
        config["Access"]!["TrustedProxies"] = new JsonArray("127.0.0.1");
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject { ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);
        await using var connection = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));

        await connection.SendAsync(Header("v2", new IPEndPoint(IPAddress.Parse(client), 4000)));

        Assert.Equal(expected, await connection.ReadLineAsync() ?? string.Empty);
    }

    [Fact]
    public async Task HttpsListener_HeaderThenTls_IsTerminatedWithTheClientFromTheHeader()
    {
        using var ca = new TestCertificates();
        var directory = Directory.CreateTempSubdirectory("gateway-pp-").FullName;
        using (var site = ca.Issue("app.example.com"))
        {
            CertificateFileWriter.WritePem(site, Path.Combine(directory, "site.pem"));
        }

        var config = HttpConfig();
        config["Listeners"]!["edge"]!["Protocol"] = "https";
        config["Tls"] = Gateway.Tests.Tls.TlsConfigs.Certificates(("main", Path.Combine(directory, "site.pem")));
        await using var gateway = await TestGateway.StartAsync(config);
        var port = gateway.Port("edge");
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
                var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                await stream.WriteAsync(Header("v2", Client), cancellation);
                return stream;
            },
        };
        handler.SslOptions.CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
        {
            TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { ca.Ca },
            RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        };
        using var client = new HttpClient(handler);

        var echo = await EchoResponse.ReadAsync(await client.GetAsync("https://app.example.com/tls"));

        Assert.Equal("203.0.113.7", echo.Headers["X-Forwarded-For"]);
        Assert.Equal("https", echo.Headers["X-Forwarded-Proto"]);
        Directory.Delete(directory, recursive: true);
    }

    private JsonObject HttpConfig() => new()
    {
        ["Listeners"] = new JsonObject
        {
            ["http"] = TcpConfigs.Listener("http"),
            ["edge"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0, ["AcceptProxy"] = true },
        },
        ["Access"] = new JsonObject
        {
            ["TrustedProxies"] = new JsonArray("127.0.0.1"),
            ["Lists"] = new JsonObject { ["ops"] = new JsonObject { ["Id"] = 700, ["Entries"] = new JsonArray("203.0.113.0/24") } },
        },
        ["Routes"] = new JsonObject
        {
            ["app"] = new JsonObject
            {
                ["Hosts"] = new JsonArray("app.example.com"),
                ["Cluster"] = "app",
                ["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "ops" },
            },
        },
        ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backends.A.Url) },
    };

    private static byte[] Header(string version, IPEndPoint client) =>
        ProxyHeaderWriter.Write(version == "v1" ? ProxyVersion.V1 : ProxyVersion.V2, client, Target, default);
}

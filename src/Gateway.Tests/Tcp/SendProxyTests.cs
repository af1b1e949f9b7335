using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>
/// <c>SendProxy</c> checked by a real HAProxy behind the gateway, with <c>accept-proxy</c> frontends that answer with
/// the client address they saw (<c>src</c>) and the authority TLV (<c>fc_pp_authority</c>): the second tier of the
/// widely copied "SNI split, then loop back with send-proxy-v2" setup.
/// </summary>
public sealed class SendProxyTests : IAsyncLifetime
{
    private static readonly IPAddress From = IPAddress.Parse("127.0.0.2");
    private readonly TestCertificates _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-sendproxy-").FullName;
    private int _plainPort;
    private int _tlsPort;
    private ServerProcess _haproxy = null!;

    public async Task InitializeAsync()
    {
        var pem = Path.Combine(_directory, "kube.pem");
        using (var kube = _ca.Issue("a.kube.example.com"))
        {
            CertificateFileWriter.WritePem(kube, pem);
        }

        // Free ports are only free until someone takes them: start again on others unless HAProxy itself answers.
        for (var attempt = 1; ; attempt++)
        {
            _plainPort = FreePort.Get();
            _tlsPort = FreePort.Get();
            try
            {
                _haproxy = await StartHaproxyAsync(pem);
                if (await AnswersAsync(_plainPort))
                {
                    return;
                }
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                continue;
            }

            await _haproxy.DisposeAsync();
            Assert.True(attempt < 3, "HAProxy did not answer on its ports: " + _haproxy.Output);
        }
    }

    private Task<ServerProcess> StartHaproxyAsync(string pem) =>
        HaproxyProcess.StartAsync($"""
            global
              log stderr format raw local0
            defaults
              mode http
              timeout connect 5s
              timeout client 30s
              timeout server 30s
            frontend plain
              bind 127.0.0.1:{_plainPort} accept-proxy
              http-request return status 200 content-type text/plain lf-string "src=%[src] dst=%[dst]:%[dst_port] authority=%[fc_pp_authority]\n"
            frontend tls
              bind 127.0.0.1:{_tlsPort} accept-proxy ssl crt {pem}
              http-request return status 200 content-type text/plain lf-string "src=%[src] sni=%[ssl_fc_sni] authority=%[fc_pp_authority]\n"
            """, _tlsPort);

    public async Task DisposeAsync()
    {
        await _haproxy.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task TcpRoute_SendProxy_HaproxySeesTheRealClient(string version)
    {
        var config = TcpConfigs.Ssh(new IPEndPoint(IPAddress.Loopback, _plainPort));
        config["Tcp"]!["Clusters"]!["git"]!["SendProxy"] = version;
        await using var gateway = await TestGateway.StartAsync(config);
        await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: From);

        await client.SendAsync("GET / HTTP/1.0\r\nHost: x\r\n\r\n");
        var body = Body(await client.ReadToEndAsync());

        Assert.Equal($"src=127.0.0.2 dst=127.0.0.1:{gateway.Port("ssh")} authority=", body);
    }

    [Fact]
    public async Task SniPassthrough_SendProxyV2_HaproxyTerminatesAndSeesTheClientAndTheSni()
    {
        await using var gateway = await TestGateway.StartAsync(PassthroughConfig());

        var body = await TlsGetAsync(gateway.Port("https"), "a.kube.example.com");

        Assert.Equal("src=127.0.0.2 sni=a.kube.example.com authority=a.kube.example.com", body);
    }

    [Fact]
    public async Task RefusedWithFallback_TheExistingHaproxySeesTheRealClient()
    {
        // Not on the list: passed to the old HAProxy tier instead, which still learns who the client is.
        var config = PassthroughConfig();
        config["Tcp"]!["Clusters"]!["kube"] = TcpConfigs.Cluster(new IPEndPoint(IPAddress.Loopback, FreePort.Get()));
        config["Tcp"]!["Clusters"]!["haproxy"] = new JsonObject
        {
            ["Destinations"] = new JsonObject { ["old"] = new JsonObject { ["Address"] = $"127.0.0.1:{_tlsPort}" } },
            ["SendProxy"] = "v2",
        };
        config["Access"] = TcpConfigs.Access("10.0.0.0/8");
        config["Tcp"]!["Routes"]!["kube"]!["Access"] = new JsonObject
        {
            ["List"] = "ops",
            ["Reject"] = new JsonObject { ["Action"] = "fallback", ["Cluster"] = "haproxy" },
        };
        await using var gateway = await TestGateway.StartAsync(config);

        var body = await TlsGetAsync(gateway.Port("https"), "a.kube.example.com");

        Assert.Equal("src=127.0.0.2 sni=a.kube.example.com authority=a.kube.example.com", body);
        await Eventually.TrueAsync(() => gateway.Logs.Contains("route kube cluster haproxy destination old: fallback (ip-not-listed)"), "the fallback logged");
    }

    private JsonObject PassthroughConfig()
    {
        using var site = _ca.Issue("www.example.com");
        var pem = Path.Combine(_directory, "site.pem");
        CertificateFileWriter.WritePem(site, pem);
        return new JsonObject
        {
            ["Listeners"] = new JsonObject { ["http"] = TcpConfigs.Listener("http"), ["https"] = TcpConfigs.Listener("https") },
            ["Tls"] = Gateway.Tests.Tls.TlsConfigs.Certificates(("main", pem)),
            ["Tcp"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["kube"] = TcpConfigs.Route("https", "kube", ".kube.example.com") },
                ["Clusters"] = new JsonObject
                {
                    ["kube"] = new JsonObject
                    {
                        ["Destinations"] = new JsonObject { ["haproxy"] = new JsonObject { ["Address"] = $"127.0.0.1:{_tlsPort}" } },
                        ["SendProxy"] = "v2",
                    },
                },
            },
        };
    }

    private async Task<string> TlsGetAsync(int port, string sni)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(From, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { _ca.Ca }, RevocationMode = X509RevocationMode.NoCheck },
        });
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.0\r\nHost: {sni}\r\n\r\n"));
        using var reader = new StreamReader(tls);
        return Body(await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(15)));
    }

    /// <summary>True when the plain frontend answers as the HAProxy of this test (a PROXY LOCAL header, then HTTP).</summary>
    private static async Task<bool> AnswersAsync(int port)
    {
        try
        {
            await using var probe = await TcpClientConnection.ConnectAsync(port);
            await probe.SendAsync([.. Gateway.Tcp.ProxyProtocol.ProxyHeaderWriter.WriteV2(null, null, default), .. "GET / HTTP/1.0\r\n\r\n"u8]);
            return (await probe.ReadToEndAsync(TimeSpan.FromSeconds(5))).Contains("src=", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string Body(string response) => response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..].TrimEnd('\n');
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>
/// One https port for everything: server names of a TCP route pass through to their own backend (its certificate, its
/// TLS), the rest is terminated by the gateway; bytes that are not TLS are refused or served as plain HTTP.
/// </summary>
public sealed class SniPassthroughTests : IAsyncLifetime
{
    private readonly TestCertificates _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-sni-").FullName;
    private X509Certificate2 _kubeCertificate = null!;
    private TcpEchoServer _kube = null!;
    private TestBackend _web = null!;

    public async Task InitializeAsync()
    {
        using var site = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(site, Path.Combine(_directory, "site.pem"));
        _kubeCertificate = _ca.Issue("a.kube.example.com", "*.kube.example.com");
        _kube = TcpEchoServer.Start("kube", certificate: _kubeCertificate);
        _web = await TestBackend.StartAsync("web");
    }

    public async Task DisposeAsync()
    {
        await _kube.DisposeAsync();
        await _web.DisposeAsync();
        _kubeCertificate.Dispose();
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task SamePort_KubeNamesPassThroughWithTheBackendsCertificate_OthersAreTerminated()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        var port = gateway.Port("https");

        await using (var kube = await TlsAsync(port, "a.kube.example.com"))
        {
            Assert.Equal(_kubeCertificate.Thumbprint, X509CertificateLoader.LoadCertificate(kube.RemoteCertificate!.GetRawCertData()).Thumbprint);
            Assert.Equal("kube", await ReadLineAsync(kube));
            await kube.WriteAsync("through\n"u8.ToArray());
            Assert.Equal("through", await ReadLineAsync(kube));
        }

        var terminated = await TlsProbe.HandshakeAsync(port, "www.example.com", _ca.Ca);
        Assert.Equal("CN=www.example.com", terminated.Certificate.Subject);
        using var client = TlsProbe.Client(port, _ca.Ca);
        var echo = await EchoResponse.ReadAsync(await client.GetAsync("https://www.example.com/app"));
        Assert.Equal("web", echo.Backend);
        Assert.Equal("https", echo.Headers["X-Forwarded-Proto"]);
        Assert.Equal(["a.kube.example.com"], _kube.ServerNames);
        await Eventually.TrueAsync(() => gateway.Logs.Contains("sni a.kube.example.com route kube cluster kube destination d0: forwarded"), "the passthrough logged");
    }

    [Fact]
    public async Task ClientHelloInOneByteWrites_IsStillRoutedBySni()
    {
        await using var gateway = await TestGateway.StartAsync(Config());

        await using var kube = await TlsAsync(gateway.Port("https"), "b.kube.example.com", trickle: true);

        Assert.Equal("kube", await ReadLineAsync(kube));
        Assert.Equal("b.kube.example.com", _kube.ServerNames.Single());
    }

    [Fact]
    public async Task SilentClients_AreClosedAfterTheTimeoutWithoutHoldingThreads()
    {
        var config = Config();
        config["Tls"]!["HandshakeTimeout"] = "700ms";
        await using var gateway = await TestGateway.StartAsync(config);
        var port = gateway.Port("https");
        var threads = ThreadPool.ThreadCount;

        var silent = new List<TcpClientConnection>();
        for (var i = 0; i < 200; i++)
        {
            silent.Add(await TcpClientConnection.ConnectAsync(port));
        }

        // Two hundred waiting peeks hold no thread: others are served at once meanwhile, and the pool does not grow
        // by a thread per connection.
        var served = System.Diagnostics.Stopwatch.StartNew();
        await using (var kube = await TlsAsync(port, "a.kube.example.com"))
        {
            Assert.Equal("kube", await ReadLineAsync(kube));
        }

        Assert.True(served.Elapsed < TimeSpan.FromSeconds(5), $"a client waited {served.Elapsed} behind the silent ones");
        Assert.True(ThreadPool.ThreadCount < threads + 100, $"thread pool grew from {threads} to {ThreadPool.ThreadCount}");
        var closed = await Task.WhenAll(silent.Select(s => s.ClosedByPeerAsync(TimeSpan.FromSeconds(10))));
        Assert.All(closed, Assert.True);
        Assert.True(gateway.Logs.Contains("sent no complete ClientHello within 00:00:00.7000000; closed."));
        foreach (var connection in silent)
        {
            await connection.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("random bytes", "qwertyuiop\0\u00ff\u0001asdfghjkl")]
    [InlineData("an SSH banner", "SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("a TLS record that is no ClientHello", "\u0016\u0003\u0001\u0000\u0005\u0002\u0000\u0000\u0001\u0000")]
    [InlineData("a record longer than TLS allows", "\u0016\u0003\u0001\u00ff\u00ff\u0001")]
    public async Task Garbage_IsClosedAndTheListenerGoesOn(string what, string bytes)
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        var port = gateway.Port("https");

        await using (var client = await TcpClientConnection.ConnectAsync(port))
        {
            await client.SendAsync(Encoding.Latin1.GetBytes(bytes));
            Assert.True(await client.ClosedByPeerAsync(TimeSpan.FromSeconds(10)), what);
        }

        Assert.Equal(0, _kube.Accepted);
        await using var kube = await TlsAsync(port, "a.kube.example.com");
        Assert.Equal("kube", await ReadLineAsync(kube));
    }

    [Fact]
    public async Task NotTls_WithNonTlsHttp_IsServedAsPlainHttpOnTheSamePort()
    {
        var config = Config();
        config["Listeners"]!["https"]!["NonTls"] = "http";
        await using var gateway = await TestGateway.StartAsync(config);
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port("https")}") };

        var echo = await EchoResponse.ReadAsync(await plain.GetAsync("/plain"));

        Assert.Equal("web", echo.Backend);
        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        await using var kube = await TlsAsync(gateway.Port("https"), "a.kube.example.com");
        Assert.Equal("kube", await ReadLineAsync(kube));
    }

    [Fact]
    public async Task NotTls_WithNonTlsHttp_IsRedirectedToHttpsOnTheSamePort()
    {
        var config = Config();
        config["Listeners"]!["https"]!["NonTls"] = "http";
        config["Routes"]!["all"]!["RedirectToHttps"] = true;
        await using var gateway = await TestGateway.StartAsync(config);
        var port = gateway.Port("https");
        using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var response = await plain.GetAsync("/plain?x=1");

        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://127.0.0.1:{port}/plain?x=1", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task NotTls_ByDefault_IsRefused()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port("https")}") };

        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync("/plain"));
        Assert.Equal(0, _web.Requests);
    }

    [Fact]
    public async Task Passthrough_IpPolicyRefuses_TheHandshakeNeverReachesTheBackend()
    {
        var config = Config();
        config["Access"] = TcpConfigs.Access("10.0.0.0/8");
        config["Tcp"]!["Routes"]!["kube"]!["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);

        await Assert.ThrowsAnyAsync<IOException>(() => TlsAsync(gateway.Port("https"), "a.kube.example.com"));

        Assert.Equal(0, _kube.Accepted);
        var terminated = await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com", _ca.Ca);
        Assert.Equal("CN=www.example.com", terminated.Certificate.Subject);
    }

    [Fact]
    public async Task TcpListener_WithSniRoutes_SendsSilentClientsToTheDefaultRoute()
    {
        // HAProxy's ssh-and-tls-on-one-port: TLS by SNI, and a client that waits for a banner goes to ssh.
        await using var ssh = TcpEchoServer.Start("ssh");
        var config = new JsonObject
        {
            ["Listeners"] = new JsonObject { ["http"] = TcpConfigs.Listener("http"), ["edge"] = TcpConfigs.Listener("tcp") },
            ["Tcp"] = new JsonObject
            {
                ["InspectDelay"] = "300ms",
                ["Routes"] = new JsonObject
                {
                    ["kube"] = TcpConfigs.Route("edge", "kube", ".kube.example.com"),
                    ["ssh"] = TcpConfigs.Route("edge", "ssh"),
                },
                ["Clusters"] = new JsonObject { ["kube"] = TcpConfigs.Cluster(_kube.EndPoint), ["ssh"] = TcpConfigs.Cluster(ssh.EndPoint) },
            },
        };
        await using var gateway = await TestGateway.StartAsync(config);

        await using var waiting = await TcpClientConnection.ConnectAsync(gateway.Port("edge"));
        Assert.Equal("ssh", await waiting.ReadLineAsync());
        await using var kube = await TlsAsync(gateway.Port("edge"), "x.kube.example.com");
        Assert.Equal("kube", await ReadLineAsync(kube));
    }

    private JsonObject Config() => new()
    {
        ["Listeners"] = new JsonObject { ["http"] = TcpConfigs.Listener("http"), ["https"] = TcpConfigs.Listener("https") },
        ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "app" } },
        ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(_web.Url) },
        ["Tls"] = TlsConfigsFor(Path.Combine(_directory, "site.pem")),
        ["Tcp"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["kube"] = TcpConfigs.Route("https", "kube", ".kube.example.com") },
            ["Clusters"] = new JsonObject { ["kube"] = TcpConfigs.Cluster(_kube.EndPoint) },
        },
    };

    private static JsonObject TlsConfigsFor(string path) => Gateway.Tests.Tls.TlsConfigs.Certificates(("main", path));

    /// <summary>A TLS client whose every byte (with <paramref name="trickle"/>) goes out in a write of its own.</summary>
    private async Task<SslStream> TlsAsync(int port, string sni, bool trickle = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (trickle)
        {
            stream = new TrickleStream(stream);
        }

        var tls = new SslStream(stream);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = sni,
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { _ca.Ca }, RevocationMode = X509RevocationMode.NoCheck },
            }).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync();
            throw new IOException("handshake failed", e);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        return tls;
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await stream.ReadAsync(one, timeout.Token) == 1 && one[0] != '\n')
        {
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. line]);
    }
}

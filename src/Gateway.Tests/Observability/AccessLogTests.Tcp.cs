using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.Tcp;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Observability;

/// <summary>
/// One line per connection handled at layer 4, in the documented TCP layout:
/// client peer:port [date] listener route cluster/destination Tw/Tc/Tt bytes_out bytes_in decision reason termination tls sni
/// </summary>
public sealed partial class AccessLogTests
{
    [Fact]
    public async Task TcpRoute_Forwarded_TextLine_HasBytesTimersAndWhoClosed()
    {
        await using var git = TcpEchoServer.Start("git");
        await using var gateway = await TestGateway.StartAsync(TcpConfigs.Ssh(git.EndPoint));

        await using (var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal("git", await client.ReadLineAsync());
            await client.SendAsync("hello\n");
            Assert.Equal("hello", await client.ReadLineAsync());
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ReadToEndAsync();
        }

        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        // "git\n" and the echo of "hello\n" out, "hello\n" in; the client's FIN came first.
        var match = Regex.Match(line, $"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {Date} ssh git git/d0 (?<tw>\d+)/(?<tc>\d+)/(?<tt>\d+) 10 6 allow no-policy client-closed - -$""");
        Assert.True(match.Success, line);
        int Ms(string name) => int.Parse(match.Groups[name].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Ms("tt") >= Ms("tw") + Ms("tc") - 1, line);
    }

    [Fact]
    public async Task TcpRoute_IpPolicy_ListedIsAllowed_OtherIsClosedWithoutConnecting()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Access"] = TcpConfigs.Access("127.0.0.1/32");
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);

        await using (var listed = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal("git", await listed.ReadLineAsync());
            listed.Socket.Shutdown(SocketShutdown.Send);
            await listed.ReadToEndAsync();
        }

        await using (var other = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: IPAddress.Parse("127.0.0.2")))
        {
            Assert.Equal(string.Empty, await other.ReadToEndAsync());
        }

        var lines = await gateway.WaitForAccessLogAsync(2);

        Assert.Single(lines, l => Regex.IsMatch(l, $"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {Date} ssh git git/d0 \d+/\d+/\d+ 4 0 allow allowed client-closed - -$"""));
        Assert.Single(lines, l => Regex.IsMatch(l, $"""^127\.0\.0\.2 127\.0\.0\.2:\d+ {Date} ssh git -/- -1/-1/\d+ 0 0 deny ip-not-listed closed - -$"""));
        Assert.Equal(1, git.Accepted);
    }

    [Fact]
    public async Task SniPassthrough_TextLine_CarriesTheSniAndNoTlsVersion()
    {
        using var ca = new TestCertificates();
        using var certificate = ca.Issue("a.kube.example.com");
        await using var kube = TcpEchoServer.Start("kube", certificate: certificate);
        var config = new JsonObject
        {
            ["Listeners"] = new JsonObject { ["http"] = TcpConfigs.Listener("http"), ["https"] = TcpConfigs.Listener("https") },
            ["Tls"] = new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true, ["Hosts"] = new JsonArray("www.example.com") } },
            ["Tcp"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["kube"] = TcpConfigs.Route("https", "kube", ".kube.example.com") },
                ["Clusters"] = new JsonObject { ["kube"] = TcpConfigs.Cluster(kube.EndPoint) },
            },
        };
        await using var gateway = await TestGateway.StartAsync(config);

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port("https")));
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "a.kube.example.com",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            var banner = new byte[5];
            await tls.ReadExactlyAsync(banner);
            Assert.Equal("kube\n"u8.ToArray(), banner);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await tls.ReadAsync(new byte[16]));
        }

        var line = (await gateway.WaitForAccessLogAsync(1)).Single();

        var match = Regex.Match(line, $"""^127\.0\.0\.1 127\.0\.0\.1:\d+ {Date} https kube kube/d0 \d+/\d+/\d+ (?<out>\d+) (?<in>\d+) allow no-policy client-closed - a\.kube\.example\.com$""");
        Assert.True(match.Success, line);
        Assert.True(long.Parse(match.Groups["in"].Value, System.Globalization.CultureInfo.InvariantCulture) > 100, "the ClientHello is counted as bytes in: " + line);
        Assert.True(long.Parse(match.Groups["out"].Value, System.Globalization.CultureInfo.InvariantCulture) > 100, "the backend's handshake is counted as bytes out: " + line);
    }

    [Fact]
    public async Task TcpRoute_Json_HasTheDocumentedTcpFields()
    {
        var config = TcpConfigs.Ssh(TcpConfigs.Closed());
        config["AccessLog"] = new JsonObject { ["Format"] = "json" };
        await using var gateway = await TestGateway.StartAsync(config);

        await using (var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal(string.Empty, await client.ReadToEndAsync());
        }

        using var line = JsonDocument.Parse((await gateway.WaitForAccessLogAsync(1)).Single());
        var l = line.RootElement;

        Assert.Equal(
            ["time", "type", "listener", "client_ip", "peer", "route", "cluster", "destination", "decision", "reason", "policy", "list",
             "bytes_in", "bytes_out", "tw_ms", "tc_ms", "tt_ms", "termination", "tls_version", "sni"],
            l.EnumerateObject().Select(property => property.Name).ToArray());
        Assert.Equal(("tcp", "ssh", "127.0.0.1", "git", "git", "allow", "no-policy", "none", "connect-failed"),
            (l.GetProperty("type").GetString(), l.GetProperty("listener").GetString(), l.GetProperty("client_ip").GetString(), l.GetProperty("route").GetString(),
             l.GetProperty("cluster").GetString(), l.GetProperty("decision").GetString(), l.GetProperty("reason").GetString(), l.GetProperty("policy").GetString(),
             l.GetProperty("termination").GetString()));
        Assert.Equal(JsonValueKind.Null, l.GetProperty("destination").ValueKind);
        Assert.True(l.GetProperty("tw_ms").GetDouble() >= 0, "the connect was tried");
        Assert.Equal(-1, l.GetProperty("tc_ms").GetDouble());
        Assert.True(l.GetProperty("tt_ms").GetDouble() >= l.GetProperty("tw_ms").GetDouble());
    }
}

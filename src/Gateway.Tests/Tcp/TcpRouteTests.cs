using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>Plain TCP listeners (port 22 to a git server): forwarding, half-close, the IP policy, timeouts.</summary>
public sealed class TcpRouteTests
{
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task TcpRoute_EchoServer_BytesGoBothWaysAndAHalfCloseStillGetsTheAnswer()
    {
        await using var git = TcpEchoServer.Start("git");
        await using var gateway = await TestGateway.StartAsync(TcpConfigs.Ssh(git.EndPoint));
        await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));

        Assert.Equal("git", await client.ReadLineAsync());
        await client.SendAsync("hello\n");
        Assert.Equal("hello", await client.ReadLineAsync());
        await client.SendAsync("last words");
        client.Socket.Shutdown(SocketShutdown.Send);

        // The server sees the FIN only through the gateway, answers, then closes: all of it comes back.
        Assert.Equal("last words", await client.ReadToEndAsync());
        Assert.Equal(IPAddress.Loopback, git.Peers.Single().Address);
        await Eventually.TrueAsync(() => gateway.Logs.Contains("route git cluster git destination d0: forwarded (client-closed), 16 bytes in, 20 bytes out"), "the connection's log line");
    }

    [Fact]
    public async Task IpPolicy_ListedClientIsForwarded_OthersAreClosedUnanswered()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Access"] = TcpConfigs.Access("127.0.0.1/32");
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);

        await using (var listed = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal("git", await listed.ReadLineAsync());
        }

        await using var other = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: Other);
        Assert.Equal(string.Empty, await other.ReadToEndAsync());
        Assert.Equal(1, git.Accepted);
        Assert.True(gateway.Logs.Contains("Access refused on TCP route git for client 127.0.0.2 (peer 127.0.0.2), list ops: ip-not-listed; action close."));
    }

    [Fact]
    public async Task IpPolicy_RuntimeEntry_IsSeenByTheNextConnection()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Access"] = TcpConfigs.Access();
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject { ["List"] = "ops" };
        await using var gateway = await TestGateway.StartAsync(config);
        await using (var refused = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: Other))
        {
            Assert.Equal(string.Empty, await refused.ReadToEndAsync());
        }

        await AccessLists.AddAsync(gateway, "ops", "127.0.0.2");

        await using var allowed = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"), from: Other);
        Assert.Equal("git", await allowed.ReadLineAsync());
    }

    [Fact]
    public async Task IpPolicy_RefusedWithFallback_GoesToTheFallbackCluster()
    {
        await using var git = TcpEchoServer.Start("git");
        await using var haproxy = TcpEchoServer.Start("haproxy");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Access"] = TcpConfigs.Access("10.0.0.0/8");
        config["Tcp"]!["Routes"]!["git"]!["Access"] = new JsonObject
        {
            ["List"] = "ops",
            ["Reject"] = new JsonObject { ["Action"] = "fallback", ["Cluster"] = "haproxy" },
        };
        config["Tcp"]!["Clusters"]!["haproxy"] = TcpConfigs.Cluster(haproxy.EndPoint);
        await using var gateway = await TestGateway.StartAsync(config);

        await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));

        Assert.Equal("haproxy", await client.ReadLineAsync());
        Assert.Equal(0, git.Accepted);
    }

    [Fact]
    public async Task RoundRobin_TakesTheDestinationsInTurn()
    {
        await using var a = TcpEchoServer.Start("a");
        await using var b = TcpEchoServer.Start("b");
        await using var gateway = await TestGateway.StartAsync(TcpConfigs.Ssh(a.EndPoint, b.EndPoint));

        var seen = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            seen.Add(await client.ReadLineAsync());
        }

        Assert.Equal(2, seen.Count(s => s == "a"));
        Assert.Equal(2, seen.Count(s => s == "b"));
        Assert.NotEqual(seen[0], seen[1]);
    }

    [Fact]
    public async Task LeastConnections_SendsToTheDestinationWithFewestOpen()
    {
        await using var a = TcpEchoServer.Start("a");
        await using var b = TcpEchoServer.Start("b");
        var config = TcpConfigs.Ssh(a.EndPoint, b.EndPoint);
        config["Tcp"]!["Clusters"]!["git"]!["LoadBalancing"] = "leastconn";
        await using var gateway = await TestGateway.StartAsync(config);

        await using var held = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
        var busy = await held.ReadLineAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            Assert.NotEqual(busy, await client.ReadLineAsync());
            client.Socket.Shutdown(SocketShutdown.Send);
            await client.ReadToEndAsync();
            await Eventually.TrueAsync(() => a.Active + b.Active == 1, "the short connection closed at the destination");
        }
    }

    [Fact]
    public async Task ConnectFailure_TriesTheNextDestination()
    {
        await using var b = TcpEchoServer.Start("b");
        var config = TcpConfigs.Ssh(TcpConfigs.Closed(), b.EndPoint);
        await using var gateway = await TestGateway.StartAsync(config);

        for (var i = 0; i < 2; i++)
        {
            await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            Assert.Equal("b", await client.ReadLineAsync());
        }

        Assert.True(gateway.Logs.Contains("Could not connect to TCP destination git/d0"));
    }

    [Fact]
    public async Task HealthCheck_TakesADeadDestinationOutAndPutsItBack()
    {
        var dead = TcpConfigs.Closed();
        await using var b = TcpEchoServer.Start("b");
        var config = TcpConfigs.Ssh(dead, b.EndPoint);
        config["Tcp"]!["Clusters"]!["git"]!["HealthCheck"] = new JsonObject { ["Interval"] = "100ms", ["Fall"] = 2, ["Rise"] = 1 };
        await using var gateway = await TestGateway.StartAsync(config);

        await Eventually.TrueAsync(() => gateway.Logs.Contains("TCP destination git/d0 (" + dead + ") is down after 2 failed checks in a row"), "d0 taken out");
        for (var i = 0; i < 4; i++)
        {
            await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            Assert.Equal("b", await client.ReadLineAsync());
        }

        Assert.False(gateway.Logs.Contains("Could not connect to TCP destination git/d0"));

        var revived = new TcpListener(dead);
        revived.Start();
        try
        {
            await Eventually.TrueAsync(() => gateway.Logs.Contains("TCP destination git/d0 (" + dead + ") is up again"), "d0 put back");
        }
        finally
        {
            revived.Stop();
        }
    }

    [Fact]
    public async Task ConnectionLimit_AFullDestinationClosesNewConnectionsUntilOneEnds()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Tcp"]!["Clusters"]!["git"]!["MaxConnectionsPerDestination"] = 1;
        await using var gateway = await TestGateway.StartAsync(config);
        var first = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
        Assert.Equal("git", await first.ReadLineAsync());

        await using (var second = await TcpClientConnection.ConnectAsync(gateway.Port("ssh")))
        {
            Assert.Equal(string.Empty, await second.ReadToEndAsync());
        }

        Assert.True(gateway.Logs.Contains("No destination of TCP cluster git took the connection of 127.0.0.1"));
        await first.DisposeAsync();
        await Eventually.TrueAsync(async () =>
        {
            await using var third = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            return await third.ReadLineAsync() == "git";
        }, "a slot free again");
    }

    [Fact]
    public async Task IdleTimeout_ClosesASilentTunnel()
    {
        await using var git = TcpEchoServer.Start("git");
        var config = TcpConfigs.Ssh(git.EndPoint);
        config["Tcp"]!["Clusters"]!["git"]!["Timeouts"] = new JsonObject { ["Idle"] = "300ms" };
        await using var gateway = await TestGateway.StartAsync(config);
        await using var client = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
        Assert.Equal("git", await client.ReadLineAsync());

        // Traffic keeps it open past the timeout...
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(150);
            await client.SendAsync("ping\n");
            Assert.Equal("ping", await client.ReadLineAsync());
        }

        // ...silence closes it.
        Assert.True(await client.ClosedByPeerAsync(TimeSpan.FromSeconds(5)));
        await Eventually.TrueAsync(() => gateway.Logs.Contains("forwarded (idle-timeout)"), "the idle timeout logged");
        await Eventually.TrueAsync(() => git.Active == 0, "the destination side closed too");
    }
}

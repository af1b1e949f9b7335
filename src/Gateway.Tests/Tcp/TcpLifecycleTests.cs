using System.Diagnostics;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>TCP tunnels across a configuration reload and a shutdown.</summary>
public sealed class TcpLifecycleTests
{
    [Fact]
    public async Task Reload_NewConnectionsGoToTheNewDestination_OpenTunnelsCarryOn()
    {
        await using var a = TcpEchoServer.Start("a");
        await using var b = TcpEchoServer.Start("b");
        await using var gateway = await TestGateway.StartAsync(TcpConfigs.Ssh(a.EndPoint));
        await using var open = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
        Assert.Equal("a", await open.ReadLineAsync());

        await gateway.RewriteConfigAsync(TcpConfigs.Ssh(b.EndPoint));

        await Eventually.TrueAsync(async () =>
        {
            await using var fresh = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
            return await fresh.ReadLineAsync() == "b";
        }, "new connections reach b");
        await open.SendAsync("still here\n");
        Assert.Equal("still here", await open.ReadLineAsync());
    }

    [Fact]
    public async Task Shutdown_ClosesOpenTunnelsPromptly()
    {
        await using var git = TcpEchoServer.Start("git");
        var gateway = await TestGateway.StartAsync(TcpConfigs.Ssh(git.EndPoint));
        await using var open = await TcpClientConnection.ConnectAsync(gateway.Port("ssh"));
        Assert.Equal("git", await open.ReadLineAsync());

        var stopwatch = Stopwatch.StartNew();
        await gateway.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopwatch.Elapsed}");
        Assert.True(await open.ClosedByPeerAsync(TimeSpan.FromSeconds(5)));
        await Eventually.TrueAsync(() => git.Active == 0, "the destination side closed");
    }
}

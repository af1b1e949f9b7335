using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.RuntimeApi;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>The Unix socket file: where it is, its mode and owner, made without a window of wrong permissions, removed at stop.</summary>
public sealed class UnixSocketTests
{
    [Fact]
    public async Task Socket_Default_IsAdminSockInTheStateDirectoryOwnerOnly()
    {
        await using var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config());

        var path = gateway.SocketPath();
        Assert.Equal(Path.Combine(gateway.CurrentConfig.StateDirectory, "admin.sock"), path);
        Assert.Equal("socket", await RuntimeApiSockets.StatAsync("%F", path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("admin\n\n", await CliClient.SendAsync(gateway.Unix(), "show cli level\n"));
        Assert.Empty(Directory.GetFiles(gateway.CurrentConfig.StateDirectory, "*.tmp"));
    }

    [Fact]
    public async Task Socket_ModeOwnerAndGroup_AppliedAsConfigured()
    {
        var path = Path.Combine(Path.GetTempPath(), "gw-sock-" + Guid.NewGuid().ToString("N")[..8], "admin.sock");
        await using var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config(new JsonObject
        {
            ["Socket"] = new JsonObject { ["Path"] = path, ["Mode"] = "660", ["User"] = "nobody", ["Group"] = "nogroup", ["Level"] = "operator" },
        }));

        Assert.True(UnixAccounts.TryGetUid("nobody", out var uid));
        Assert.True(UnixAccounts.TryGetGid("nogroup", out var gid));
        Assert.Equal($"{uid}:{gid}", await RuntimeApiSockets.StatAsync("%u:%g", path));
        Assert.Equal("660", await RuntimeApiSockets.StatAsync("%a", path));
        Assert.Equal("operator\n\n", await CliClient.SendAsync(gateway.Unix(), "show cli level\n"));
    }

    [Fact]
    public async Task Stop_RemovesTheSocketFile()
    {
        var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config());
        var path = gateway.SocketPath();

        await gateway.DisposeAsync();

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Start_StaleSocketFromACrash_IsReplaced()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-stale-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "admin.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(path));
        }

        await using var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config(new JsonObject { ["Socket"] = new JsonObject { ["Path"] = path } }));

        Assert.Equal("admin\n\n", await CliClient.SendAsync(gateway.Unix(), "show cli level\n"));
    }

    [Fact]
    public async Task Start_PathIsARegularFile_FailsNamingThePath()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gw-file-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(path, "{ \"not\": \"a socket\" }");

        var error = await Assert.ThrowsAsync<IOException>(() =>
            TestGateway.StartAsync(RuntimeApiSockets.Config(new JsonObject { ["Socket"] = new JsonObject { ["Path"] = path } })));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal("{ \"not\": \"a socket\" }", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Socket_Disabled_NoFileAndTcpStillServes()
    {
        await using var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config(new JsonObject
        {
            ["Socket"] = new JsonObject { ["Enabled"] = false },
            ["Tcp"] = new JsonObject { ["Port"] = 0 },
        }));

        Assert.False(File.Exists(Path.Combine(gateway.CurrentConfig.StateDirectory, "admin.sock")));
        Assert.Equal("operator\n\n", await CliClient.SendAsync(gateway.Tcp(), "show cli level\n"));
    }

    [Fact]
    public async Task Reload_SocketSettingsChanged_WarnsThatARestartIsNeeded()
    {
        var config = RuntimeApiSockets.Config();
        await using var gateway = await TestGateway.StartAsync(config);
        var path = gateway.SocketPath();

        config["RuntimeApi"] = new JsonObject { ["Socket"] = new JsonObject { ["Mode"] = "660" } };
        await gateway.RewriteConfigAsync(config);

        await Eventually.TrueAsync(() => gateway.Logs.Contains("Runtime API socket settings changed; they take effect at the next restart"), "the restart warning");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("admin\n\n", await CliClient.SendAsync(gateway.Unix(), "show cli level\n"));
    }
}

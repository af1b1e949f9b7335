using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// Levels as HAProxy means them: user reads, operator also changes lists and maps, admin also servers. Where HAProxy
/// enforces a level (servers, raising one's level) both answer alike; where it does not (it lets a user-level socket
/// change lists), Gateway refuses.
/// </summary>
[Collection(HaproxyCollection.Name)]
public sealed class LevelTests(HaproxyFixture haproxy)
{
    public static TheoryData<string> SameAsHaproxyAtUserLevel => new()
    {
        "show cli level\n",
        "operator\n",
        "disable server app/web1\n",
        "enable server app/web1\n",
        "set server app/web1 state drain\n",
        "show acl #0\n",
        "get acl #0 10.1.2.3\n",
        "show acl\n",
    };

    [Theory]
    [MemberData(nameof(SameAsHaproxyAtUserLevel))]
    public async Task UserSocket_ReadOrServerCommand_AnswersAsHaproxy(string command)
    {
        await haproxy.RestartAsync();
        await using var gateway = await TestGateway.StartAsync(WithTcpLevel("user"));
        var normalizer = ConformanceTests.Normalizer(gateway);

        var theirs = await CliClient.SendAsync(new UnixDomainSocketEndPoint(haproxy.UserSocketPath), System.Text.Encoding.UTF8.GetBytes(command));
        var ours = await CliClient.SendAsync(gateway.Tcp(), System.Text.Encoding.UTF8.GetBytes(command));

        Assert.Equal(normalizer.Normalize(theirs), normalizer.Normalize(ours));
    }

    [Theory]
    [InlineData("disable server app/web1\n", "Permission denied\n\n")]
    [InlineData("set server app/web1 state maint\n", "Permission denied\n\n")]
    [InlineData("show cli level\n", "operator\n\n")]
    public async Task OperatorSocket_ServerChanges_RefusedAsByHaproxy(string command, string reply)
    {
        await using var gateway = await TestGateway.StartAsync(WithTcpLevel("operator"));

        Assert.Equal(reply, await CliClient.SendAsync(new UnixDomainSocketEndPoint(haproxy.OperatorSocketPath), command));
        Assert.Equal(reply, await CliClient.SendAsync(gateway.Tcp(), command));
    }

    [Theory]
    [InlineData("add acl #500 192.0.2.1\n")]
    [InlineData("del acl #500 192.0.2.1\n")]
    [InlineData("clear acl #500\n")]
    [InlineData("prepare acl #500\n")]
    [InlineData("commit acl @1 #500\n")]
    [InlineData("add map #2 tok v\n")]
    [InlineData("set map #2 tok v\n")]
    [InlineData("del map #2 tok\n")]
    [InlineData("clear map #2\n")]
    [InlineData("show map #2\n")]
    [InlineData("get map #2 tok\n")]
    public async Task UserSocket_ChangesAndTokens_Refused(string command)
    {
        await using var gateway = await TestGateway.StartAsync(WithTcpLevel("user"));

        Assert.Equal("Permission denied\n\n", await CliClient.SendAsync(gateway.Tcp(), command));
        Assert.Equal("\n", await CliClient.SendAsync(gateway.Unix(), "show acl #500\n"));
    }

    [Fact]
    public async Task LoweredSession_CannotChangeListsAnyMore()
    {
        await using var gateway = await TestGateway.StartAsync(WithTcpLevel("admin"));

        var reply = await CliClient.SendAsync(gateway.Unix(), "add acl #500 192.0.2.1;user;add acl #500 192.0.2.2;show acl #500\n");

        Assert.Matches("^\n\nPermission denied\n\n0x[0-9a-f]+ 192.0.2.1\n\n$", reply);
    }

    [Fact]
    public async Task OperatorSocket_ChangesListsAndReadsTokens()
    {
        await using var gateway = await TestGateway.StartAsync(WithTcpLevel("operator"));

        var reply = await CliClient.SendAsync(gateway.Tcp(), "add acl #500 192.0.2.1;add map #2 tok-1234 user=a;show map #2\n");

        Assert.Matches("^\n\n0x[0-9a-f]+ tok-1234 user=a\n\n$", reply);
    }

    private static JsonObject WithTcpLevel(string level)
    {
        var config = Transcripts.GatewayConfig();
        config["RuntimeApi"] = new JsonObject { ["Tcp"] = new JsonObject { ["Port"] = 0, ["Level"] = level } };
        return config;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// What a client can do wrong, and what Gateway does: HAProxy's error reply or a clean close, nothing else changes,
/// and the socket keeps serving everyone else.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config(new JsonObject
    {
        ["Tcp"] = new JsonObject { ["Port"] = 0, ["Level"] = "admin" },
        ["Timeout"] = "2s",
    }));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<string, int> OverLongLines => new()
    {
        { "no newline at all", 0 },
        { "newline after 20 KiB", 20 * 1024 },
        { "newline after 1 MiB", 1024 * 1024 },
    };

    [Theory]
    [MemberData(nameof(OverLongLines))]
    public async Task OverLongLine_ConnectionClosedWithoutReply_SocketStillServes(string what, int newlineAt)
    {
        var line = Encoding.ASCII.GetBytes("add acl #500 " + new string('1', Math.Max(newlineAt, 64 * 1024)));
        if (newlineAt > 0)
        {
            line[newlineAt] = (byte)'\n';
        }

        using var socket = await ConnectAsync(_gateway.Unix());
        var reply = await SendWithoutClosingAsync(socket, line);

        Assert.True(reply.Length == 0, $"{what}: expected no reply, got {reply.Length} bytes");
        Assert.Equal("\n", await CliClient.SendAsync(_gateway.Unix(), "show acl #500\n"));
        Assert.Contains(_gateway.Logs.Entries, e => e.Message.Contains("longer than 16384 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverLongPayload_ConnectionClosed_NothingAdded()
    {
        var payload = new StringBuilder("add map #501 <<\n");
        for (var i = 0; payload.Length < 40 * 1024; i++)
        {
            payload.Append("kat-").Append(i).Append(" user=u").Append(i).Append('\n');
        }

        using var socket = await ConnectAsync(_gateway.Tcp());
        var reply = await SendWithoutClosingAsync(socket, Encoding.ASCII.GetBytes(payload.Append('\n').ToString()));

        Assert.Empty(reply);
        Assert.Equal("\n", await CliClient.SendAsync(_gateway.Unix(), "show map #501\n"));
    }

    [Fact]
    public async Task BinaryGarbage_UnknownCommandReplies_SocketStillServes()
    {
        var garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        garbage[1000] = (byte)'\n';
        garbage[^1] = (byte)'\n';

        var reply = Encoding.UTF8.GetString(await CliClient.SendAsync(_gateway.Unix(), garbage));

        Assert.StartsWith("Unknown command", reply, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", reply, StringComparison.Ordinal);
        Assert.Equal("admin\n\n", await CliClient.SendAsync(_gateway.Unix(), "show cli level\n"));
    }

    [Theory]
    [InlineData("add acl #500 192.0.2.1")]
    [InlineData("add map #501 <<\nkat-mid user=a\n")]
    [InlineData("add acl #500 192.0.2.1\\")]
    public async Task DisconnectMidCommand_NothingChanges(string partial)
    {
        using (var socket = await ConnectAsync(_gateway.Unix()))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(partial), SocketFlags.None);
        }

        Assert.Equal("\n\n", await CliClient.SendAsync(_gateway.Unix(), "show acl #500;show map #501\n"));
    }

    [Fact]
    public async Task SilentClient_ClosedAfterTheTimeout_OthersServedMeanwhile()
    {
        using var silent = await ConnectAsync(_gateway.Tcp());

        Assert.Equal("admin\n\n", await CliClient.SendAsync(_gateway.Tcp(), "show cli level\n"));
        var read = await silent.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task MillionCommands_OneInteractiveConnection_AllAnswered()
    {
        const int count = 1_000_000;
        using var socket = await ConnectAsync(_gateway.Tcp());
        var reading = CliClient.ReadToEndAsync(socket, CancellationToken.None);
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("show cli level\n", 10_000)));
        await socket.SendAsync("prompt\n"u8.ToArray(), SocketFlags.None);
        for (var i = 0; i < count / 10_000; i++)
        {
            await socket.SendAsync(chunk, SocketFlags.None);
        }

        await socket.SendAsync("quit\n"u8.ToArray(), SocketFlags.None);
        var output = Encoding.ASCII.GetString(await reading.WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal(count, CountOf(output, "\n> admin\n"));
    }

    [Fact]
    public async Task ManyConcurrentClients_EveryChangeApplied()
    {
        const int clients = 300;
        var replies = await Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
            CliClient.SendAsync(i % 2 == 0 ? _gateway.Unix() : _gateway.Tcp(), $"add acl #500 10.9.{i / 256}.{i % 256}\n")));

        Assert.All(replies, r => Assert.Equal("\n", r));
        var listing = await CliClient.SendAsync(_gateway.Unix(), "show acl\n");
        Assert.Contains($"500 (knoc) acl 'src' file 'Gateway:Access:Lists:knoc' line 0. curr_ver=0 next_ver=0 entry_cnt={clients}\n", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientThatStopsReading_DroppedAfterTheTimeout_OthersServedMeanwhile()
    {
        var add = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            add.Append("add acl #500 10.").Append(i / 65536).Append('.').Append(i / 256 % 256).Append('.').Append(i % 256).Append('\n');
        }

        await CliClient.SendAsync(_gateway.Tcp(), Encoding.ASCII.GetBytes("prompt\n" + add + "quit\n"), TimeSpan.FromMinutes(1));
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stuck.ConnectAsync(_gateway.Tcp());
        await stuck.SendAsync(Encoding.ASCII.GetBytes("prompt\n" + string.Concat(Enumerable.Repeat("show acl #500\n", 50))), SocketFlags.None);

        Assert.Equal("admin\n\n", await CliClient.SendAsync(_gateway.Tcp(), "show cli level\n"));
        await Eventually.TrueAsync(
            () => _gateway.Logs.Entries.Any(e => e.Id.Id == Gateway.Observability.EventIds.RuntimeApiTimedOut || e.Id.Id == Gateway.Observability.EventIds.RuntimeApiDisconnected),
            "the stuck client to be dropped", TimeSpan.FromSeconds(60));
    }

    private static async Task<Socket> ConnectAsync(EndPoint endPoint)
    {
        var socket = CliClient.Connect(endPoint);
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    /// <summary>Sends (tolerating the server closing mid-way) and reads whatever comes back until the server closes.</summary>
    private static async Task<byte[]> SendWithoutClosingAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The server closed while we were still sending: that is the expected outcome.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await CliClient.ReadToEndAsync(socket, timeout.Token);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}

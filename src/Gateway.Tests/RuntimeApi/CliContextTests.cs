using System.IO.Pipelines;
using System.Text;
using Gateway.RuntimeApi;
using Gateway.State;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>Pipelined changes: replies stay in order and none leaves before the change it follows is recorded.</summary>
public sealed class CliContextTests
{
    [Fact]
    public async Task Defer_RepliesHeldUntilTheWriteIsRecorded_InOrder()
    {
        var (context, pipe) = Context();
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();

        context.Defer(new ValueTask(first.Task));
        context.Reply("one\n");
        context.Defer(new ValueTask(second.Task));
        context.Reply("two\n");
        var draining = context.DrainAsync(_ => { }).AsTask();

        Assert.Equal(string.Empty, await WrittenAsync(context, pipe));
        first.SetResult();
        second.SetException(new StoreUnavailableException("disk full"));
        await draining;

        Assert.Equal("one\nFailed to update an entry.\ntwo\n", await WrittenAsync(context, pipe));
        Assert.Equal(0, context.InFlight);
    }

    [Fact]
    public async Task Defer_AlreadyRecorded_RepliesGoStraightOut()
    {
        var (context, pipe) = Context();

        context.Defer(ValueTask.CompletedTask);
        context.Reply("done\n");

        Assert.Equal(0, context.InFlight);
        Assert.Equal("done\n", await WrittenAsync(context, pipe));
    }

    [Fact]
    public async Task PipelinedAdds_FollowedByReads_ReadsSeeEveryAdd()
    {
        await using var gateway = await TestGateway.StartAsync(RuntimeApiSockets.Config());

        var reply = await CliClient.SendAsync(gateway.Unix(),
            "prompt\nadd acl #500 192.0.2.1\nadd acl #500 192.0.2.2\nadd acl #500 bad\nshow acl #500\ndel acl #500 192.0.2.1\nshow acl #500\nquit\n");

        Assert.Matches(
            "^\n> \n> \n> 'bad' is not a valid IPv4 or IPv6 address.\n\n> 0x[0-9a-f]+ 192.0.2.1\n0x[0-9a-f]+ 192.0.2.2\n\n> \n> 0x[0-9a-f]+ 192.0.2.2\n\n> $",
            reply);
    }

    private static (CliContext Context, Pipe Pipe) Context()
    {
        var pipe = new Pipe();
        var output = new CliOutput(pipe.Writer, () => CancellationToken.None);
        return (new CliContext(output, CliLevel.Admin, "test", new CommandTable(Array.Empty<CliCommand>()), CancellationToken.None), pipe);
    }

    private static async Task<string> WrittenAsync(CliContext context, Pipe pipe)
    {
        await context.Output.FlushAsync();
        if (!pipe.Reader.TryRead(out var result))
        {
            return string.Empty;
        }

        var text = Encoding.UTF8.GetString(result.Buffer);
        pipe.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }
}

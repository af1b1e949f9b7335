using System.IO.Pipelines;
using System.Text;
using Gateway.RuntimeApi;

namespace Gateway.Tests.RuntimeApi;

public sealed class CliOutputTests
{
    [Theory]
    [InlineData(0L, "k", null, "0x0 k\n")]
    [InlineData(0x1000L, "203.0.113.7", null, "0x1000 203.0.113.7\n")]
    [InlineData(0xabcdef0123L, "kat-1", "user=alice", "0xabcdef0123 kat-1 user=alice\n")]
    [InlineData(long.MaxValue, "é", "ü v", "0x7fffffffffffffff é ü v\n")]
    public async Task WriteEntry_IdKeyValue_AsHaproxyPrintsEntries(long id, string key, string? value, string expected)
    {
        var pipe = new Pipe();
        var output = new CliOutput(pipe.Writer, () => CancellationToken.None);

        output.WriteEntry(id, key, value);
        await output.FlushAsync();
        await pipe.Writer.CompleteAsync();

        var read = await pipe.Reader.ReadAsync();
        Assert.Equal(expected, Encoding.UTF8.GetString(read.Buffer));
    }
}

using System.Buffers;
using System.Text;
using Gateway.RuntimeApi;

namespace Gateway.Tests.RuntimeApi;

public sealed class CliLineReaderTests
{
    [Theory]
    [InlineData("show acl #0\n", false, "show acl #0", "")]
    [InlineData("show acl #0\r\n", false, "show acl #0", "")]
    [InlineData("show acl #0;show map\n", false, "show acl #0", "show map\n")]
    [InlineData("show acl #0\\;x;y\n", false, "show acl #0\\;x", "y\n")]
    [InlineData("show acl #0\\\nstill;next\n", false, "show acl #0\\\nstill", "next\n")]
    [InlineData("\n", false, "", "")]
    [InlineData(";", false, "", "")]
    [InlineData("k v;w\n", true, "k v;w", "")]
    [InlineData("k v\\\nw\n", true, "k v\\", "w\n")]
    [InlineData("a\r;b\n", false, "a", "b\n")]
    public void TryRead_CompleteCommand_ReturnsItAndTheRest(string input, bool payload, string command, string rest)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));

        Assert.True(CliLineReader.TryRead(ref buffer, payload, out var line));
        Assert.Equal(command, Encoding.UTF8.GetString(line));
        Assert.Equal(rest, Encoding.UTF8.GetString(buffer));
    }

    [Theory]
    [InlineData("show acl #0")]
    [InlineData("show acl #0\\")]
    [InlineData("show acl #0\\;")]
    [InlineData("")]
    public void TryRead_IncompleteCommand_WaitsForMore(string input)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));

        Assert.False(CliLineReader.TryRead(ref buffer, payload: false, out _));
        Assert.Equal(input.Length, buffer.Length);
    }

    [Fact]
    public void TryRead_CommandSplitAcrossSegments_IsFoundWhole()
    {
        var buffer = Segments("sho", "w acl", " #0;", "\\", ";x\n");

        Assert.True(CliLineReader.TryRead(ref buffer, payload: false, out var first));
        Assert.Equal("show acl #0", Encoding.UTF8.GetString(first));
        Assert.True(CliLineReader.TryRead(ref buffer, payload: false, out var second));
        Assert.Equal("\\;x", Encoding.UTF8.GetString(second));
    }

    [Theory]
    [InlineData(CliLineReader.MaxLength)]
    [InlineData(CliLineReader.MaxLength + 10)]
    [InlineData(1 << 20)]
    public void TryRead_NoNewlineWithinLimit_Throws(int length)
    {
        var buffer = new ReadOnlySequence<byte>(Enumerable.Repeat((byte)'a', length).ToArray());

        Assert.Throws<CliProtocolException>(() => CliLineReader.TryRead(ref buffer, payload: false, out _));
    }

    [Fact]
    public void TryRead_LongestAllowedLine_IsRead()
    {
        var bytes = Enumerable.Repeat((byte)'a', CliLineReader.MaxLength).ToArray();
        bytes[^1] = (byte)'\n';
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(CliLineReader.TryRead(ref buffer, payload: false, out var line));
        Assert.Equal(CliLineReader.MaxLength - 1, line.Length);
    }

    private static ReadOnlySequence<byte> Segments(params string[] parts)
    {
        var first = new Segment(Encoding.UTF8.GetBytes(parts[0]), 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            last = last.Append(Encoding.UTF8.GetBytes(part));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

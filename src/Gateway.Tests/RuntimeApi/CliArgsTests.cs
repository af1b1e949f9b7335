using System.Text;
using Gateway.RuntimeApi;

namespace Gateway.Tests.RuntimeApi;

public sealed class CliArgsTests
{
    [Theory]
    [InlineData("show acl #500", "show|acl|#500")]
    [InlineData("  show\t\tacl   #500  ", "show|acl|#500")]
    [InlineData("add map #2 a\\ b c", "add|map|#2|a b|c")]
    [InlineData("add map #2 back\\\\slash v", "add|map|#2|back\\slash|v")]
    [InlineData("a\\xb", "axb")]
    [InlineData("trailing\\", "trailing")]
    [InlineData("say \"two words\"", "say|\"two|words\"")]
    [InlineData("semi\\;colon", "semi;colon")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    public void Parse_Line_SplitsAsHaproxy(string line, string words)
    {
        var args = CliArgs.Parse(line);

        Assert.Equal(words, string.Join('|', Enumerable.Range(0, args.Count).Select(i => args[i])));
        Assert.Equal(string.Empty, args[args.Count]);
    }

    [Fact]
    public void Parse_MoreThan64Words_KeepsTheFirst64()
    {
        var args = CliArgs.Parse(string.Join(' ', Enumerable.Range(0, 100)));

        Assert.Equal(CliArgs.MaxWords, args.Count);
        Assert.Equal("63", args[63]);
        Assert.Equal(string.Empty, args[64]);
    }

    [Theory]
    [InlineData("add map #2 <<", true, 3)]
    [InlineData("add map #2 k<<", false, 4)]
    [InlineData("add map #2 << extra", false, 5)]
    public void Parse_PayloadMarker_AttachesPayloadOnlyAsLastWord(string line, bool attached, int count)
    {
        var args = CliArgs.Parse(line, payload: "k v");

        Assert.Equal(attached, args.Payload is not null);
        Assert.Equal(count, args.Count);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', 0, (byte)'b' }, "a")]
    [InlineData(new byte[] { 0xff, (byte)'a' }, "\uFFFDa")]
    [InlineData(new byte[] { 0xc3, 0xa9 }, "é")]
    public void Decode_Bytes_StopsAtNulAndReplacesInvalidUtf8(byte[] bytes, string text) =>
        Assert.Equal(text, CliArgs.Decode(bytes));

    [Theory]
    [InlineData("add map #2 <<", true)]
    [InlineData("add map #2 <", false)]
    [InlineData("<<", true)]
    public void AnnouncesPayload_LineEndingWithMarker_IsTrue(string line, bool expected) =>
        Assert.Equal(expected, CliArgs.AnnouncesPayload(Encoding.UTF8.GetBytes(line)));
}

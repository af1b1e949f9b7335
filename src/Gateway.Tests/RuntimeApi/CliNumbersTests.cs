using Gateway.RuntimeApi.Commands;

namespace Gateway.Tests.RuntimeApi;

public sealed class CliNumbersTests
{
    [Theory]
    [InlineData("500", true, 500)]
    [InlineData("0500", true, 500)]
    [InlineData("", true, 0)]
    [InlineData("+7", true, 7)]
    [InlineData("-1", true, -1)]
    [InlineData("4294967796", true, 500)]
    [InlineData("abc", false, 0)]
    [InlineData("5x", false, 0)]
    [InlineData("+", false, 0)]
    [InlineData(" ", false, 0)]
    public void TryParseId_Text_ReadsAsStrtol(string text, bool ok, int id)
    {
        Assert.Equal(ok, CliNumbers.TryParseId(text, out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData("@1", 1u)]
    [InlineData("@", 0u)]
    [InlineData("@abc", 0u)]
    [InlineData("@-1", 0u)]
    [InlineData("@12x", 12u)]
    [InlineData("@4294967296", 0u)]
    [InlineData("@4294967295", 4294967295u)]
    public void ParseVersion_Text_ReadsAsStr2uic(string text, uint version) =>
        Assert.Equal(version, CliNumbers.ParseVersion(text));

    [Theory]
    [InlineData("#0x1a2b", true, 0x1a2b)]
    [InlineData("#0xABC", true, 0xabc)]
    [InlineData("#0x", false, 0)]
    [InlineData("#0xzz", false, 0)]
    [InlineData("#0x12 ", false, 0)]
    public void TryParseReference_HexReference_Parsed(string text, bool ok, long reference)
    {
        Assert.Equal(ok, CliNumbers.TryParseReference(text, out var parsed));
        Assert.Equal(reference, ok ? parsed : 0);
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("#12")]
    [InlineData("0x12")]
    public void TryParseReference_NotAReference_IsNull(string text) =>
        Assert.Null(CliNumbers.TryParseReference(text, out _));

    [Theory]
    [InlineData(0u, 0, 0, "Current")]
    [InlineData(1u, 0, 1, "Other")]
    [InlineData(2u, 0, 1, "Future")]
    [InlineData(4294967295u, 0, 1, "Other")]
    [InlineData(3u, 3, 5, "Current")]
    public void Classify_Version_AsHaproxy(uint version, int current, int next, string kind) =>
        Assert.Equal(kind, Versions.Classify(version, current, next).ToString());

    [Theory]
    [InlineData(1u, 0, 1, true)]
    [InlineData(0u, 0, 1, false)]
    [InlineData(2u, 0, 1, false)]
    [InlineData(1u, 1, 1, false)]
    [InlineData(3u, 1, 4, true)]
    public void CanCommit_Version_BetweenCurrentAndNext(uint version, int current, int next, bool ok) =>
        Assert.Equal(ok, Versions.CanCommit(version, current, next));
}

using Gateway.Tcp;

namespace Gateway.Tests.Tcp;

/// <summary>Which TCP route a server name goes to: exact, then wildcard, then the longest suffix, then the default.</summary>
public sealed class TcpRouteTableTests
{
    private static readonly TcpRouteTable Table = new(
    [
        Route("exact", "a.kube.example.com"),
        Route("wildcard", "*.kube.example.com"),
        Route("suffix", ".example.com"),
        Route("longer-suffix", ".deep.kube.example.com"),
        Route("ssh"),
    ]);

    [Theory]
    [InlineData("a.kube.example.com", "exact")]
    [InlineData("b.kube.example.com", "wildcard")]
    [InlineData("x.b.kube.example.com", "suffix")]
    [InlineData("x.deep.kube.example.com", "longer-suffix")]
    [InlineData("deep.kube.example.com", "wildcard")]
    [InlineData("www.example.com", "suffix")]
    [InlineData("kube.example.com", "suffix")]
    public void MatchSni_PicksTheMostSpecificRoute(string serverName, string expected) =>
        Assert.Equal(expected, Table.MatchSni(serverName)?.Id);

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.org")]
    [InlineData("badexample.com")]
    [InlineData("")]
    [InlineData(null)]
    public void MatchSni_NoPatternMatches_IsNullAndTheDefaultIsSeparate(string? serverName)
    {
        Assert.Null(Table.MatchSni(serverName));
        Assert.Equal("ssh", Table.Default?.Id);
        Assert.True(Table.RoutesBySni);
    }

    [Fact]
    public void DefaultOnly_DoesNotPeek()
    {
        var table = new TcpRouteTable([Route("ssh")]);

        Assert.False(table.RoutesBySni);
        Assert.Equal("ssh", table.Default?.Id);
    }

    [Theory]
    [InlineData("A.Example.COM", "Exact", "a.example.com")]
    [InlineData("*.example.com", "Wildcard", ".example.com")]
    [InlineData(".kube.example.com", "Suffix", ".kube.example.com")]
    public void Parse_TheThreeKinds(string text, string kind, string name)
    {
        var pattern = SniPattern.Parse(text, out var problem);

        Assert.Null(problem);
        Assert.Equal(kind, pattern!.Kind.ToString());
        Assert.Equal(name, pattern.Name);
    }

    [Theory]
    [InlineData("a.example.com:443", "has a port")]
    [InlineData("a.*.example.com", "wildcard in the wrong place")]
    [InlineData("*.com", "too broad")]
    [InlineData(".", "is empty")]
    [InlineData("bad_name!.example.com", "not a valid host name")]
    public void Parse_Broken_SaysWhy(string text, string expected)
    {
        Assert.Null(SniPattern.Parse(text, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    private static TcpRouteDefinition Route(string id, params string[] sni) =>
        new(id, ["l"], [.. sni.Select(s => SniPattern.Parse(s, out _)!)], "c");
}

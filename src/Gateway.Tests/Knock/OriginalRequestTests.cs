using Gateway.Knock;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Knock;

/// <summary>The request a forward-auth caller asks about, read from its headers and normalised as Kestrel would.</summary>
public sealed class OriginalRequestTests
{
    [Theory]
    [InlineData("/public/../admin", "/admin")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/b/.", "/a/b/")]
    [InlineData("/%2e%2e/x", "/x")]
    [InlineData("/%2E./x", "/x")]
    [InlineData("/../../x", "/x")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/a?x=/../b", "/a")]
    [InlineData("/", "/")]
    public void Normalize_Path_IsWhatTheApplicationSees(string target, string expected)
    {
        Assert.Equal(expected, OriginalRequest.Normalize(target));
    }

    [Theory]
    [InlineData("/a%00b")]
    [InlineData("/a%0Ab")]
    public void Normalize_ControlCharacters_AreRefused(string target)
    {
        Assert.Null(OriginalRequest.Normalize(target));
    }

    [Fact]
    public void Read_NginxHeaders_GiveMethodHostPortAndPath()
    {
        var headers = new HeaderDictionary { ["X-Original-URL"] = "https://App.example.com:8443/x/../y?q=1", ["X-Original-Method"] = "post" };

        Assert.Equal(new OriginalRequest("POST", true, "app.example.com", 8443, "/y"), OriginalRequest.Read(headers));
    }

    [Fact]
    public void Read_TraefikHeaders_DefaultPortFromTheScheme()
    {
        var headers = new HeaderDictionary
        {
            ["X-Forwarded-Method"] = "GET",
            ["X-Forwarded-Proto"] = "https",
            ["X-Forwarded-Host"] = "app.example.com",
            ["X-Forwarded-Uri"] = "/a/b?c=d",
        };

        Assert.Equal(new OriginalRequest("GET", true, "app.example.com", 443, "/a/b"), OriginalRequest.Read(headers));
    }

    [Theory]
    [InlineData("X-Forwarded-Uri", "relative/path")]
    [InlineData("X-Forwarded-Proto", "gopher")]
    [InlineData("X-Forwarded-Host", "a b")]
    [InlineData("X-Forwarded-Host", "user@host")]
    [InlineData("X-Forwarded-Method", "GE T")]
    public void Read_BadTraefikHeader_IsUndecidable(string header, string value)
    {
        var headers = new HeaderDictionary
        {
            ["X-Forwarded-Proto"] = "http",
            ["X-Forwarded-Host"] = "app.example.com",
            ["X-Forwarded-Uri"] = "/",
            [header] = value,
        };

        Assert.Null(OriginalRequest.Read(headers));
    }

    [Fact]
    public void Read_TwoOriginalUrls_IsUndecidable()
    {
        var headers = new HeaderDictionary { ["X-Original-URL"] = new(["http://a.example.com/", "http://b.example.com/"]) };

        Assert.Null(OriginalRequest.Read(headers));
    }
}

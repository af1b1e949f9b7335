using Gateway.Routing;

namespace Gateway.Tests.Routing;

public sealed class HostPatternTests
{
    [Theory]
    [InlineData("confluence.example.com")]
    [InlineData("confluence.example.com:8443")]
    [InlineData("*.kube.example.com")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("[::1]:8080")]
    public void Check_AcceptsHostNames(string host) => Assert.Null(HostPattern.Check(host));

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("*", "'*' alone is not a host")]
    [InlineData("app.*.example.com", "wildcard in the wrong place")]
    [InlineData("*app.example.com", "wildcard in the wrong place")]
    [InlineData("**.example.com", "wildcard in the wrong place")]
    [InlineData("*.com", "too broad")]
    [InlineData("app..example.com", "not a valid host name")]
    [InlineData("-app.example.com", "not a valid host name")]
    [InlineData("app example.com", "not a valid host name")]
    [InlineData("app.example.com:99999", "invalid port")]
    public void Check_RefusesWithAReason(string host, string reason) =>
        Assert.Contains(reason, HostPattern.Check(host), StringComparison.Ordinal);
}

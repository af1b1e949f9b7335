using System.Net;
using Gateway.Access.Lists;

namespace Gateway.Tests.Access;

public sealed class IpPatternTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("203.0.113.7/32", "203.0.113.7", true)]
    [InlineData("203.0.113.7/32", "203.0.113.6", false)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.1.2.3/8", "10.9.9.9", true)]
    [InlineData("10.0.0.0/255.0.0.0", "10.200.1.1", true)]
    [InlineData("0.0.0.0/0", "198.51.100.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "198.51.100.1", true)]
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "::ffff:203.0.113.7", true)]
    [InlineData("203.0.113.0/24", "::ffff:203.0.113.99", true)]
    public void Matches_ComparesByValueAcrossFamiliesAndPrefixes(string pattern, string address, bool expected)
    {
        Assert.True(IpPattern.TryParse(pattern, out var parsed));
        Assert.Equal(expected, parsed.Matches(IpKey.From(IPAddress.Parse(address))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("203.0.113")]
    [InlineData("203.0.113.256")]
    [InlineData("203.0.113.7/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/255.0.255.0")]
    [InlineData("/8")]
    [InlineData("fe80::1%eth0")]
    public void TryParse_RefusesWhatIsNotAnAddressOrPrefix(string text) => Assert.False(IpPattern.TryParse(text, out _));
}

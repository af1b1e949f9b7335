using System.Collections.Immutable;
using System.Net;
using Gateway.Access;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Access;

public sealed class ClientIpResolverTests
{
    private static AccessConfig Trusting(params string[] networks) => AccessConfig.Empty with
    {
        TrustedProxies = [.. networks.Select(n => IPNetwork.Parse(n))],
    };

    private static IPAddress Resolve(string peer, string? xff, AccessConfig config, string? forwarded = null)
    {
        var headers = new HeaderDictionary();
        if (xff is not null)
        {
            headers["X-Forwarded-For"] = xff;
        }

        if (forwarded is not null)
        {
            headers["Forwarded"] = forwarded;
        }

        return ClientIpResolver.Resolve(IPAddress.Parse(peer), headers, config);
    }

    [Theory]
    [InlineData("10.0.0.5", "203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.5", "198.51.100.1, 203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.5", "203.0.113.9, 10.0.0.7", "203.0.113.9")]
    [InlineData("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7, 10.0.0.8", "203.0.113.9")]
    [InlineData("10.0.0.5", "10.0.0.7, 10.0.0.8", "10.0.0.7")]
    [InlineData("10.0.0.5", "garbage, 203.0.113.9", "203.0.113.9")]
    [InlineData("10.0.0.5", "203.0.113.9, garbage", "10.0.0.5")]
    [InlineData("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1")]
    [InlineData("10.0.0.5", "203.0.113.9:4711", "203.0.113.9")]
    [InlineData("10.0.0.5", null, "10.0.0.5")]
    public void Resolve_WalksFromTheRightAndStopsAtTheFirstUntrustedHop(string peer, string? xff, string expected) =>
        Assert.Equal(IPAddress.Parse(expected), Resolve(peer, xff, Trusting("10.0.0.0/8")));

    [Fact]
    public void Resolve_ForwardedHeader_ReadsTheForParameters()
    {
        var config = Trusting("10.0.0.0/8") with { ForwardedHeader = ForwardedHeaderMode.Forwarded };

        var client = Resolve("10.0.0.5", "192.0.2.66", config, "for=198.51.100.1;proto=https, for=\"[2001:db8::9]:443\";by=10.0.0.5");

        Assert.Equal(IPAddress.Parse("2001:db8::9"), client);
    }

    [Fact]
    public void IsTrusted_UntrustedPeer_IsNotBelieved()
    {
        var config = Trusting("10.0.0.0/8");

        Assert.False(ClientIpResolver.IsTrusted(IPAddress.Parse("203.0.113.9"), config));
        Assert.True(ClientIpResolver.IsTrusted(IPAddress.Parse("10.1.1.1"), config));
        Assert.False(ClientIpResolver.IsTrusted(IPAddress.Parse("10.1.1.1"), AccessConfig.Empty));
    }

    [Fact]
    public void Direct_NormalisesIpv4MappedIpv6()
    {
        var feature = ClientAddressFeature.Direct(IPAddress.Parse("::ffff:203.0.113.7"));

        Assert.Equal(IPAddress.Parse("203.0.113.7"), feature.Client);
        Assert.Equal("203.0.113.7", feature.ClientText);
        Assert.Equal(ImmutableArray<IPNetwork>.Empty, AccessConfig.Empty.TrustedProxies);
    }
}

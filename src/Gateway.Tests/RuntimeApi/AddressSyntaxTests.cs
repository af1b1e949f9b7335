using Gateway.RuntimeApi.Commands;

namespace Gateway.Tests.RuntimeApi;

/// <summary>Address patterns: accepted and refused as HAProxy 2.6 accepts and refuses them at run time (recorded by hand against it).</summary>
public sealed class AddressSyntaxTests
{
    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("255.255.255.255")]
    [InlineData("0.0.0.0/0")]
    [InlineData("1.2.3.4/8")]
    [InlineData("1.2.3.4/0")]
    [InlineData("10.30.0.0/016")]
    [InlineData("10.20.0.0/255.255.0.0")]
    [InlineData("::1")]
    [InlineData("::1/128")]
    [InlineData("::/0")]
    [InlineData("2001:db8::/32")]
    [InlineData("2001:DB8::1")]
    [InlineData("::ffff:1.2.3.4")]
    [InlineData("::ffff:1.2.3.0/120")]
    public void TryParsePattern_HaproxyAccepts_Accepted(string text) =>
        Assert.True(AddressSyntax.TryParsePattern(text, out _));

    [Theory]
    [InlineData("1")]
    [InlineData("1.2")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("010.1.1.1")]
    [InlineData("1.2.3.04")]
    [InlineData("300.1.1.1")]
    [InlineData("1.2.3.4/33")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/abc")]
    [InlineData("1.2.3.4/-1")]
    [InlineData("1.2.3.4/32/1")]
    [InlineData("::1/129")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("::ffff:01.2.3.4")]
    public void TryParsePattern_HaproxyRefuses_Refused(string text) =>
        Assert.False(AddressSyntax.TryParsePattern(text, out _));

    [Theory]
    [InlineData("1.2.3.4/255.0.255.0")]
    [InlineData("1.2.3.4/+24")]
    public void TryParsePattern_NotAPrefix_RefusedUnlikeHaproxy(string text) =>
        Assert.False(AddressSyntax.TryParsePattern(text, out _));

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.9.9.9", true)]
    [InlineData("2001:db8::5", true)]
    [InlineData("abc", false)]
    [InlineData("10.1.2", false)]
    [InlineData("10.1.2.3/8", false)]
    public void TryParseAddress_Sample_StrictAddressesOnly(string text, bool ok) =>
        Assert.Equal(ok, AddressSyntax.TryParseAddress(text, out _));
}

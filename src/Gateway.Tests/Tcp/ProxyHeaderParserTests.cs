using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using Gateway.Tcp;
using Gateway.Tcp.ProxyProtocol;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tcp;

/// <summary>PROXY protocol v1 and v2 headers: what is accepted, what is refused, and what the writer sends.</summary>
public sealed class ProxyHeaderParserTests
{
    private static readonly IPEndPoint Client4 = new(IPAddress.Parse("203.0.113.7"), 51234);
    private static readonly IPEndPoint Gateway4 = new(IPAddress.Parse("192.0.2.10"), 443);
    private static readonly IPEndPoint Client6 = new(IPAddress.Parse("2001:db8::7"), 51234);
    private static readonly IPEndPoint Gateway6 = new(IPAddress.Parse("2001:db8::10"), 443);

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n", "203.0.113.7:51234", "192.0.2.10:443")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::10 51234 443\r\n", "[2001:db8::7]:51234", "[2001:db8::10]:443")]
    [InlineData("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", "0.0.0.0:0", "255.255.255.255:65535")]
    public void V1_Valid_GivesTheAddressesAndLength(string text, string source, string destination)
    {
        var bytes = Encoding.ASCII.GetBytes(text + "GET /");

        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var header, out var length);

        Assert.Equal(ProxyHeaderStatus.Valid, status);
        Assert.Equal(text.Length, length);
        Assert.Equal(1, header!.Version);
        Assert.Equal(source, header.Source!.ToString());
        Assert.Equal(destination, header.Destination!.ToString());
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void V1_Unknown_SpeaksForTheProxyItself(string text)
    {
        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out var header, out var length);

        Assert.Equal(ProxyHeaderStatus.Valid, status);
        Assert.Equal(text.Length, length);
        Assert.False(header!.HasAddresses);
    }

    public static TheoryData<string, string> MalformedV1 => new()
    {
        { "unknown protocol", "PROXY UDP4 203.0.113.7 192.0.2.10 1 2\r\n" },
        { "missing port", "PROXY TCP4 203.0.113.7 192.0.2.10 1\r\n" },
        { "extra field", "PROXY TCP4 203.0.113.7 192.0.2.10 1 2 3\r\n" },
        { "double space", "PROXY TCP4  203.0.113.7 192.0.2.10 1 2\r\n" },
        { "IPv6 under TCP4", "PROXY TCP4 2001:db8::7 192.0.2.10 1 2\r\n" },
        { "IPv4 under TCP6", "PROXY TCP6 203.0.113.7 2001:db8::10 1 2\r\n" },
        { "shorthand IPv4", "PROXY TCP4 203.7 192.0.2.10 1 2\r\n" },
        { "octet too large", "PROXY TCP4 203.0.113.256 192.0.2.10 1 2\r\n" },
        { "IPv6 scope", "PROXY TCP6 fe80::1%eth0 2001:db8::10 1 2\r\n" },
        { "port too large", "PROXY TCP4 203.0.113.7 192.0.2.10 65536 2\r\n" },
        { "port with leading zero", "PROXY TCP4 203.0.113.7 192.0.2.10 0443 2\r\n" },
        { "negative port", "PROXY TCP4 203.0.113.7 192.0.2.10 -1 2\r\n" },
        { "bare LF", "PROXY TCP4 203.0.113.7 192.0.2.10 1 2\n" },
        { "control character", "PROXY TCP4 203.0.113.7\t192.0.2.10 1 2\r\n" },
        { "no CRLF within 107 bytes", "PROXY UNKNOWN " + new string('x', 100) + "\r\n" },
        { "empty", "PROXY \r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedV1))]
    public void V1_Malformed_IsInvalid(string what, string text)
    {
        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out _);

        Assert.True(status == ProxyHeaderStatus.Invalid, $"{what}: {status}");
    }

    [Fact]
    public void V2_WrittenHeader_ParsesBackWithItsTlvsAndChecksum()
    {
        var bytes = ProxyHeaderWriter.WriteV2(Client4, Gateway4, new ProxyTlsFacts("a.kube.example.com", true));

        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var header, out var length);

        Assert.Equal(ProxyHeaderStatus.Valid, status);
        Assert.Equal(bytes.Length, length);
        Assert.Equal(2, header!.Version);
        Assert.Equal(Client4, header.Source);
        Assert.Equal(Gateway4, header.Destination);
        Assert.Equal("a.kube.example.com", header.Authority);
        Assert.True(header.Ssl);
        Assert.True(header.ChecksumVerified);
    }

    [Fact]
    public void V2_IPv6AndMixedFamilies_AreSentAsIPv6()
    {
        var six = ProxyHeaderWriter.WriteV2(Client6, Gateway6, default);
        var mixed = ProxyHeaderWriter.WriteV2(Client4, Gateway6, default);

        Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(six), out var header, out _));
        Assert.Equal(Client6, header!.Source);
        Assert.Equal(0x21, six[13]);
        Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(mixed), out header, out _));
        Assert.Equal(Client4.Address.MapToIPv6(), header!.Source!.Address);
        Assert.Null(header.Authority);
        Assert.False(header.Ssl);
    }

    [Fact]
    public void V2_Local_SpeaksForTheProxyItself()
    {
        var bytes = ProxyHeaderWriter.Write(ProxyVersion.V2, null, null, default);

        Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var header, out _));
        Assert.Equal(0x20, bytes[12]);
        Assert.False(header!.HasAddresses);
    }

    [Fact]
    public void V1_Writer_WritesHaproxysLine()
    {
        Assert.Equal("PROXY TCP4 203.0.113.7 192.0.2.10 51234 443\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.WriteV1(Client4, Gateway4)));
        Assert.Equal("PROXY TCP6 2001:db8::7 2001:db8::10 51234 443\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.WriteV1(Client6, Gateway6)));
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.WriteV1(null, null)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void EveryPrefix_IsIncomplete_AndSegmentsDoNotMatter(int segment)
    {
        foreach (var bytes in new[] { ProxyHeaderWriter.WriteV2(Client4, Gateway4, new ProxyTlsFacts("x.example.com", true)), ProxyHeaderWriter.WriteV1(Client6, Gateway6) })
        {
            for (var i = 1; i < bytes.Length; i++)
            {
                Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyHeaderParser.TryParse(ClientHelloCapture.Segmented(bytes[..i], segment), out _, out _));
            }

            Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(ClientHelloCapture.Segmented([.. bytes, 0x16, 0x03], segment), out var header, out var length));
            Assert.Equal(bytes.Length, length);
            Assert.NotNull(header!.Source);
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("\u0016\u0003\u0001")]
    [InlineData("PROXX")]
    [InlineData("proxy TCP4 203.0.113.7 192.0.2.10 1 2\r\n")]
    [InlineData("\r\n\r\n\0\r\nQUIX")]
    public void OtherBytes_AreNotProxy(string text)
    {
        Assert.Equal(ProxyHeaderStatus.NotProxy, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), out _, out _));
    }

    public static TheoryData<string, byte[]> MalformedV2 => new()
    {
        { "version 1 in the binary form", Patch(Good(), b => b[12] = 0x11) },
        { "unknown command", Patch(Good(), b => b[12] = 0x22) },
        { "unknown family", Patch(Good(), b => b[13] = 0x41) },
        { "datagram", Patch(Good(), b => b[13] = 0x12) },
        { "addresses longer than the block", Truncate(Good(), 16 + 8) },
        { "TLV overrunning the block", Patch(Good(), b => b[16 + 12 + 2] = 0xFF) },
        { "checksum wrong", Patch(Good(), b => b[^1] ^= 0xFF) },
        { "checksum of the wrong size", WithTlvs(Tlv(0x03, 1, 2, 3)) },
        { "two checksums", WithTlvs([.. Tlv(0x03, 0, 0, 0, 0), .. Tlv(0x03, 0, 0, 0, 0)]) },
        { "dangling TLV header", WithTlvs(0x02, 0x00) },
        { "authority with a space", WithTlvs(Tlv(0x02, (byte)'a', (byte)' ', (byte)'b')) },
        { "unique id longer than 128 bytes", WithTlvs(Tlv(0x05, new byte[129])) },
        { "SSL TLV too short", WithTlvs(Tlv(0x20, 1, 0, 0)) },
        { "SSL sub-TLV overrunning", WithTlvs(Tlv(0x20, 1, 0, 0, 0, 0, 0x21, 0, 9, (byte)'T')) },
        { "longer than accepted", LongHeader() },
    };

    [Theory]
    [MemberData(nameof(MalformedV2))]
    public void V2_Malformed_IsInvalid(string what, byte[] bytes)
    {
        var status = ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out _, out _);

        Assert.True(status == ProxyHeaderStatus.Invalid, $"{what}: {status}");
    }

    [Fact]
    public void V2_UnknownTlvsAndUnspecifiedFamily_AreAccepted()
    {
        byte[] ssl = [1, 0, 0, 0, 0, .. Tlv(0x21, [.. "TLSv1.3"u8]), .. Tlv(0x22, [.. "alice"u8])];
        var bytes = WithTlvs([.. Tlv(0xE0, 1, 2, 3), .. Tlv(0x04), .. Tlv(0x20, ssl)]);

        Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(bytes), out var header, out _));
        Assert.Equal("TLSv1.3", header!.SslVersion);
        Assert.Equal("alice", header.SslCommonName);
        var unspecified = Patch(Truncate(Good(), 16 + 12), b => b[13] = 0x00);
        Assert.Equal(ProxyHeaderStatus.Valid, ProxyHeaderParser.TryParse(new ReadOnlySequence<byte>(unspecified), out header, out _));
        Assert.False(header!.HasAddresses);
    }

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    private static byte[] Good() => ProxyHeaderWriter.WriteV2(Client4, Gateway4, default);

    private static byte[] Patch(byte[] bytes, Action<byte[]> change)
    {
        change(bytes);
        return bytes;
    }

    private static byte[] Truncate(byte[] bytes, int length)
    {
        var result = bytes[..length];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(14), (ushort)(length - 16));
        return result;
    }

    private static byte[] Tlv(byte type, params byte[] value) => [type, (byte)(value.Length >> 8), (byte)value.Length, .. value];

    /// <summary>An IPv4 header (no checksum) with these TLV bytes after its addresses.</summary>
    private static byte[] WithTlvs(params byte[] tlvs)
    {
        var plain = ProxyHeaderWriter.WriteV2(Client4, Gateway4, default)[..(16 + 12)];
        byte[] result = [.. plain, .. tlvs];
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(14), (ushort)(result.Length - 16));
        return result;
    }

    private static byte[] LongHeader() => WithTlvs(Tlv(0x04, new byte[ProxyHeaderParser.MaxV2Length]));
}

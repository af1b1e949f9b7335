using System.Buffers;
using System.Text;
using Gateway.Tests.TestSupport;
using Gateway.Tls;

namespace Gateway.Tests.Tls;

public sealed class ClientHelloParserTests
{
    [Fact]
    public async Task TryParse_RealClientHello_ReadsSniAndAlpn()
    {
        var hello = await ClientHelloCapture.CaptureAsync("www.example.com", "h2", "http/1.1");

        var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var info, out _);

        Assert.Equal(ClientHelloStatus.ClientHello, status);
        Assert.Equal("www.example.com", info!.ServerName);
        Assert.Equal(["h2", "http/1.1"], info.ApplicationProtocols.ToArray());
    }

    [Fact]
    public async Task TryParse_NoSniNoAlpn_ReadsNeither()
    {
        var hello = await ClientHelloCapture.CaptureAsync(sni: null);

        Assert.Equal(ClientHelloStatus.ClientHello, ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var info, out _));
        Assert.Null(info!.ServerName);
        Assert.Empty(info.ApplicationProtocols);
    }

    [Fact]
    public async Task TryParse_EveryPrefix_IsIncompleteUntilTheLastByte()
    {
        var hello = await ClientHelloCapture.CaptureAsync("a.kube.example.com", "acme-tls/1");

        for (var length = 0; length < hello.Length; length++)
        {
            var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello, 0, length), out _, out var needed);
            Assert.True(status == ClientHelloStatus.Incomplete, $"prefix of {length} bytes gave {status}");
            Assert.True(needed > length && needed <= hello.Length, $"prefix of {length} bytes asked for {needed}");
        }

        Assert.Equal(ClientHelloStatus.ClientHello, ClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var info, out _));
        Assert.True(info!.Offers("acme-tls/1"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public async Task TryParse_SegmentsOfAnySize_GiveTheSameResult(int segment)
    {
        var hello = await ClientHelloCapture.CaptureAsync("www.example.com", "h2");

        var status = ClientHelloParser.TryParse(ClientHelloCapture.Segmented(hello, segment), out var info, out _);

        Assert.Equal(ClientHelloStatus.ClientHello, status);
        Assert.Equal("www.example.com", info!.ServerName);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public async Task TryParse_HandshakeSplitAcrossRecords_IsReassembled(int fragment)
    {
        var records = ClientHelloCapture.Refragment(await ClientHelloCapture.CaptureAsync("split.example.com", "http/1.1"), fragment);

        var status = ClientHelloParser.TryParse(ClientHelloCapture.Segmented(records, 5), out var info, out _);

        Assert.Equal(ClientHelloStatus.ClientHello, status);
        Assert.Equal("split.example.com", info!.ServerName);
        Assert.Equal(["http/1.1"], info.ApplicationProtocols.ToArray());
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")]
    [InlineData("G")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
    [InlineData("\u0016\u0002")]
    public void TryParse_NotTls_IsRecognisedFromTheFirstBytes(string text)
    {
        Assert.Equal(ClientHelloStatus.NotTls, ClientHelloParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), out _, out _));
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "record of length zero", [0x16, 0x03, 0x01, 0x00, 0x00], nameof(ClientHelloStatus.Invalid) },
        { "record longer than TLS allows", [0x16, 0x03, 0x01, 0x48, 0x01, 0x01], nameof(ClientHelloStatus.Invalid) },
        { "handshake that is not a ClientHello", Record(Message(0x02, Body())), nameof(ClientHelloStatus.NotTls) },
        { "message larger than 16 KiB", Record([0x01, 0x00, 0x40, 0x01, .. new byte[100]]), nameof(ClientHelloStatus.Invalid) },
        { "extension length past the end", Record(Message(0x01, Body(extensions: [0x00, 0x00, 0x00, 0x20, 0x00]))), nameof(ClientHelloStatus.Invalid) },
        { "SNI extension twice", Record(Message(0x01, Body(extensions: [.. Sni("a.example.com"), .. Sni("b.example.com")]))), nameof(ClientHelloStatus.Invalid) },
        { "SNI with a space", Record(Message(0x01, Body(extensions: Sni("a b.example.com")))), nameof(ClientHelloStatus.Invalid) },
        { "SNI with an empty list", Record(Message(0x01, Body(extensions: [0x00, 0x00, 0x00, 0x02, 0x00, 0x00]))), nameof(ClientHelloStatus.Invalid) },
        { "ALPN with an empty protocol", Record(Message(0x01, Body(extensions: [0x00, 0x10, 0x00, 0x03, 0x00, 0x01, 0x00]))), nameof(ClientHelloStatus.Invalid) },
        { "session id over 32 bytes", Record(Message(0x01, Body(sessionId: 33))), nameof(ClientHelloStatus.Invalid) },
        { "no cipher suites", Record(Message(0x01, Body(cipherSuites: 0))), nameof(ClientHelloStatus.Invalid) },
        { "bytes after the extensions", Record(Message(0x01, [.. Body(extensions: Sni("a.example.com")), 0x00])), nameof(ClientHelloStatus.Invalid) },
        { "second record is not a handshake", [.. Record(Message(0x01, Body())[..7]), 0x17, 0x03, 0x03, 0x00, 0x01, 0x00], nameof(ClientHelloStatus.Invalid) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_MalformedClientHello_IsRejected(string what, byte[] bytes, string expected)
    {
        var status = ClientHelloParser.TryParse(new ReadOnlySequence<byte>(bytes), out var info, out _);

        Assert.True(status.ToString() == expected, $"{what}: expected {expected}, got {status}");
        Assert.Null(info);
    }

    [Fact]
    public void TryParse_SyntheticHelloWithoutExtensions_HasNoSni()
    {
        Assert.Equal(ClientHelloStatus.ClientHello, ClientHelloParser.TryParse(new ReadOnlySequence<byte>(Record(Message(0x01, Body(extensions: null)))), out var info, out _));
        Assert.Null(info!.ServerName);
    }

    private static byte[] Record(byte[] message) => [0x16, 0x03, 0x01, (byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static byte[] Message(byte type, byte[] body) => [type, 0x00, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    private static byte[] Body(byte[]? extensions = null, int sessionId = 0, int cipherSuites = 1)
    {
        byte[] head = [0x03, 0x03, .. new byte[32], (byte)sessionId, .. new byte[sessionId], 0x00, (byte)(cipherSuites * 2), .. Enumerable.Repeat((byte)0x13, cipherSuites * 2), 0x01, 0x00];
        return extensions is null ? head : [.. head, (byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions];
    }

    private static byte[] Sni(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        var list = new byte[] { 0x00, (byte)(bytes.Length >> 8), (byte)bytes.Length }.Concat(bytes).ToArray();
        byte[] data = [(byte)(list.Length >> 8), (byte)list.Length, .. list];
        return [0x00, 0x00, (byte)(data.Length >> 8), (byte)data.Length, .. data];
    }
}

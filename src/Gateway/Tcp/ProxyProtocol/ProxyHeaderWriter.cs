using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tcp.ProxyProtocol;

/// <summary>What the gateway knows about a connection's TLS without having terminated it.</summary>
internal readonly record struct ProxyTlsFacts(string? ServerName, bool ClientSpokeTls);

/// <summary>
/// Writes the PROXY protocol header the gateway sends first on a connection to a destination (HAProxy's
/// <c>send-proxy</c> and <c>send-proxy-v2</c>). Without a client (health checks) it sends v1 <c>UNKNOWN</c> or v2
/// <c>LOCAL</c>. v2 carries the TLS facts known from the ClientHello (PP2_TYPE_AUTHORITY with the SNI, PP2_TYPE_SSL
/// when the client spoke TLS) and a PP2_TYPE_CRC32C over the whole header.
/// </summary>
internal static class ProxyHeaderWriter
{
    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] Write(ProxyVersion version, IPEndPoint? source, IPEndPoint? destination, ProxyTlsFacts tls) => version switch
    {
        ProxyVersion.V1 => WriteV1(source, destination),
        ProxyVersion.V2 => WriteV2(source, destination, tls),
        _ => [],
    };

    public static byte[] WriteV1(IPEndPoint? source, IPEndPoint? destination)
    {
        if (source is null || destination is null)
        {
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        var (src, dst) = SameFamily(source.Address, destination.Address);
        var family = src.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"PROXY {family} {src} {dst} {source.Port} {destination.Port}\r\n"));
    }

    public static byte[] WriteV2(IPEndPoint? source, IPEndPoint? destination, ProxyTlsFacts tls)
    {
        var local = source is null || destination is null;
        var (src, dst) = local ? (IPAddress.Any, IPAddress.Any) : SameFamily(source!.Address, destination!.Address);
        var addressLength = local ? 0 : src.AddressFamily == AddressFamily.InterNetwork ? 12 : 36;
        var authority = tls.ServerName is null || local ? [] : Encoding.ASCII.GetBytes(tls.ServerName);
        var tlvLength = (authority.Length > 0 ? 3 + authority.Length : 0) + (tls.ClientSpokeTls && !local ? 3 + 5 : 0) + 3 + 4;
        var header = new byte[16 + addressLength + tlvLength];
        var span = header.AsSpan();
        V2Signature.CopyTo(span);
        span[12] = (byte)(local ? 0x20 : 0x21);
        span[13] = (byte)(local ? 0x00 : src.AddressFamily == AddressFamily.InterNetwork ? 0x11 : 0x21);
        BinaryPrimitives.WriteUInt16BigEndian(span[14..], (ushort)(addressLength + tlvLength));
        var at = 16;
        if (!local)
        {
            var size = addressLength == 12 ? 4 : 16;
            src.TryWriteBytes(span[at..], out _);
            dst.TryWriteBytes(span[(at + size)..], out _);
            BinaryPrimitives.WriteUInt16BigEndian(span[(at + (2 * size))..], (ushort)source!.Port);
            BinaryPrimitives.WriteUInt16BigEndian(span[(at + (2 * size) + 2)..], (ushort)destination!.Port);
            at += addressLength;
        }

        if (authority.Length > 0)
        {
            at = WriteTlv(span, at, ProxyTlv.Authority, authority);
        }

        if (tls.ClientSpokeTls && !local)
        {
            // client: PP2_CLIENT_SSL; verify: non-zero, no client certificate was verified here. No sub-TLVs: the
            // version and cipher are negotiated end to end, beyond the gateway's sight.
            at = WriteTlv(span, at, ProxyTlv.Ssl, [ProxyTlv.ClientSsl, 0, 0, 0, 1]);
        }

        var checksumAt = WriteTlv(span, at, ProxyTlv.Crc32C, [0, 0, 0, 0]) - 4;
        BinaryPrimitives.WriteUInt32BigEndian(span[checksumAt..], Crc32C.Compute(header));
        return header;
    }

    private static int WriteTlv(Span<byte> span, int at, byte type, ReadOnlySpan<byte> value)
    {
        span[at] = type;
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 1)..], (ushort)value.Length);
        value.CopyTo(span[(at + 3)..]);
        return at + 3 + value.Length;
    }

    /// <summary>Both IPv4 when both are (mapped ones included); otherwise both IPv6.</summary>
    private static (IPAddress Source, IPAddress Destination) SameFamily(IPAddress source, IPAddress destination)
    {
        source = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        destination = destination.IsIPv4MappedToIPv6 ? destination.MapToIPv4() : destination;
        if (source.AddressFamily == destination.AddressFamily)
        {
            return (source, destination);
        }

        return (source.MapToIPv6(), destination.MapToIPv6());
    }
}

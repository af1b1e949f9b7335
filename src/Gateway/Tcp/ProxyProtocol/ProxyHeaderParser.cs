using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tcp.ProxyProtocol;

/// <summary>
/// Reads a PROXY protocol header, v1 (text) or v2 (binary), from the first bytes of a connection
/// (haproxy.org/download/2.6/doc/proxy-protocol.txt). Strict: a header that breaks the format is refused rather
/// than guessed at, since it decides who the client is. Nothing is assumed about where the buffer's segments fall.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>The longest v1 line, CRLF included (section 2.1).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The longest v2 header accepted, TLVs included.</summary>
    public const int MaxV2Length = 16 * 1024;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Parses what has arrived; <paramref name="length"/> is the header's length when valid.</summary>
    public static ProxyHeaderStatus TryParse(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out int length)
    {
        header = null;
        length = 0;
        Span<byte> start = stackalloc byte[16];
        var have = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, have).CopyTo(start);
        start = start[..have];
        if (have == 0)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        if (V1Prefix.StartsWith(start[..Math.Min(have, V1Prefix.Length)]))
        {
            return have < V1Prefix.Length ? ProxyHeaderStatus.Incomplete : ParseV1(buffer, out header, out length);
        }

        if (V2Signature.StartsWith(start[..Math.Min(have, V2Signature.Length)]))
        {
            return ParseV2(buffer, out header, out length);
        }

        return ProxyHeaderStatus.NotProxy;
    }

    private static ProxyHeaderStatus ParseV1(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out int length)
    {
        header = null;
        length = 0;
        Span<byte> line = stackalloc byte[MaxV1Length];
        var have = (int)Math.Min(buffer.Length, MaxV1Length);
        buffer.Slice(0, have).CopyTo(line);
        var end = line[..have].IndexOf("\r\n"u8);
        if (end < 0)
        {
            // No CRLF within the longest line allowed; a bare LF is no line end either.
            return have >= MaxV1Length || line[..have].Contains((byte)'\n') ? ProxyHeaderStatus.Invalid : ProxyHeaderStatus.Incomplete;
        }

        length = end + 2;
        var text = line[..end];
        foreach (var b in text)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return ProxyHeaderStatus.Invalid;
            }
        }

        var parts = Encoding.ASCII.GetString(text).Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            // The receiver ignores whatever follows UNKNOWN and uses the real connection's addresses.
            header = new ProxyHeader(1, null, null);
            return ProxyHeaderStatus.Valid;
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            return ProxyHeaderStatus.Invalid;
        }

        var family = parts[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (!TryAddress(parts[2], family, out var source) || !TryAddress(parts[3], family, out var destination) ||
            !TryPort(parts[4], out var sourcePort) || !TryPort(parts[5], out var destinationPort))
        {
            return ProxyHeaderStatus.Invalid;
        }

        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return ProxyHeaderStatus.Valid;
    }

    private static ProxyHeaderStatus ParseV2(in ReadOnlySequence<byte> buffer, out ProxyHeader? header, out int length)
    {
        header = null;
        length = 0;
        if (buffer.Length < 16)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        Span<byte> fixedPart = stackalloc byte[16];
        buffer.Slice(0, 16).CopyTo(fixedPart);
        var payload = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        length = 16 + payload;
        if (fixedPart[12] >> 4 != 2 || length > MaxV2Length)
        {
            return ProxyHeaderStatus.Invalid;
        }

        if (buffer.Length < length)
        {
            return ProxyHeaderStatus.Incomplete;
        }

        var slice = buffer.Slice(0, length);
        var bytes = slice.IsSingleSegment ? slice.FirstSpan : slice.ToArray();
        return ProxyV2Body.Parse(bytes, out header) ? ProxyHeaderStatus.Valid : ProxyHeaderStatus.Invalid;
    }

    /// <summary>A dotted quad for TCP4 (no shorthand like <c>10.1</c>), an IPv6 address without scope for TCP6.</summary>
    private static bool TryAddress(string text, AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (family == AddressFamily.InterNetwork)
        {
            var octets = text.Split('.');
            if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit)))
            {
                return false;
            }
        }
        else if (!text.Contains(':', StringComparison.Ordinal) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        return IPAddress.TryParse(text, out address!) && address.AddressFamily == family;
    }

    private static bool TryPort(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        port = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return port <= 65535;
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Gateway.Tcp.ProxyProtocol;

/// <summary>The binary header of PROXY protocol v2 after its signature: command, addresses and TLVs (section 2.2).</summary>
internal static class ProxyV2Body
{
    private const byte CommandLocal = 0x0;
    private const byte CommandProxy = 0x1;

    /// <summary>Parses a whole v2 header (signature included); false when it breaks the format.</summary>
    public static bool Parse(ReadOnlySpan<byte> header, out ProxyHeader? result)
    {
        result = null;
        var command = header[12] & 0x0F;
        var family = header[13] >> 4;
        var transport = header[13] & 0x0F;
        var payload = header[16..];
        if (command is not (CommandLocal or CommandProxy) || family > 3 || transport > 2)
        {
            return false;
        }

        IPEndPoint? source = null;
        IPEndPoint? destination = null;
        var addressLength = family switch
        {
            1 => 12,
            2 => 36,
            3 => 216,
            _ => 0,
        };
        if (payload.Length < addressLength)
        {
            return false;
        }

        if (command == CommandProxy && transport == 2)
        {
            // Datagrams have no place on a TCP listener.
            return false;
        }

        if (command == CommandProxy && transport == 1 && family is 1 or 2)
        {
            var size = family == 1 ? 4 : 16;
            var ports = payload[(2 * size)..];
            source = new IPEndPoint(new IPAddress(payload[..size]), BinaryPrimitives.ReadUInt16BigEndian(ports));
            destination = new IPEndPoint(new IPAddress(payload.Slice(size, size)), BinaryPrimitives.ReadUInt16BigEndian(ports[2..]));
        }

        result = new ProxyHeader(2, source, destination);
        if (family == 0)
        {
            // Unspecified: whatever follows is to be ignored, TLVs included.
            return true;
        }

        return ReadTlvs(header, payload[addressLength..], header.Length - payload.Length + addressLength, ref result);
    }

    private static bool ReadTlvs(ReadOnlySpan<byte> header, ReadOnlySpan<byte> tlvs, int offset, ref ProxyHeader? result)
    {
        var seenChecksum = false;
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
            {
                return false;
            }

            var type = tlvs[0];
            var length = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (tlvs.Length < 3 + length)
            {
                return false;
            }

            var value = tlvs.Slice(3, length);
            switch (type)
            {
                case ProxyTlv.Alpn:
                    result = result! with { Alpn = Encoding.ASCII.GetString(value) };
                    break;
                case ProxyTlv.Authority:
                    if (!IsPrintable(value))
                    {
                        return false;
                    }

                    result = result! with { Authority = Encoding.ASCII.GetString(value).ToLowerInvariant() };
                    break;
                case ProxyTlv.Crc32C:
                    if (length != 4 || seenChecksum || !ChecksumMatches(header, offset + 3))
                    {
                        return false;
                    }

                    seenChecksum = true;
                    result = result! with { ChecksumVerified = true };
                    break;
                case ProxyTlv.UniqueId:
                    if (length > 128)
                    {
                        return false;
                    }

                    result = result! with { UniqueId = value.ToArray() };
                    break;
                case ProxyTlv.Ssl:
                    if (!ReadSsl(value, ref result))
                    {
                        return false;
                    }

                    break;
            }

            tlvs = tlvs[(3 + length)..];
            offset += 3 + length;
        }

        return true;
    }

    private static bool ReadSsl(ReadOnlySpan<byte> value, ref ProxyHeader? result)
    {
        // client (1 byte), verify (4 bytes), then sub-TLVs.
        if (value.Length < 5)
        {
            return false;
        }

        result = result! with { Ssl = (value[0] & ProxyTlv.ClientSsl) != 0 };
        var sub = value[5..];
        while (!sub.IsEmpty)
        {
            if (sub.Length < 3)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(sub[1..]);
            if (sub.Length < 3 + length)
            {
                return false;
            }

            var text = sub.Slice(3, length);
            if (sub[0] == ProxyTlv.SslVersion)
            {
                result = result with { SslVersion = Encoding.ASCII.GetString(text) };
            }
            else if (sub[0] == ProxyTlv.SslCommonName)
            {
                result = result with { SslCommonName = Encoding.UTF8.GetString(text) };
            }

            sub = sub[(3 + length)..];
        }

        return true;
    }

    /// <summary>The CRC-32c of the whole header with the checksum's own four bytes taken as zero (section 2.2.5).</summary>
    private static bool ChecksumMatches(ReadOnlySpan<byte> header, int valueOffset)
    {
        var expected = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(valueOffset, 4));
        var crc = Crc32C.Append(Crc32C.Seed, header[..valueOffset]);
        crc = Crc32C.Append(crc, [0, 0, 0, 0]);
        crc = Crc32C.Append(crc, header[(valueOffset + 4)..]);
        return Crc32C.Finish(crc) == expected;
    }

    private static bool IsPrintable(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is <= 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>CRC-32c (Castagnoli), on the processor's CRC32 instruction where it has one.</summary>
internal static class Crc32C
{
    public const uint Seed = 0xFFFF_FFFF;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = System.Numerics.BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    public static uint Finish(uint crc) => ~crc;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));
}

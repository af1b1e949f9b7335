using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace Gateway.Tls;

/// <summary>What a peek at the first bytes of a connection found.</summary>
internal enum ClientHelloStatus
{
    /// <summary>Not enough bytes yet to decide.</summary>
    Incomplete,

    /// <summary>A complete, well-formed ClientHello.</summary>
    ClientHello,

    /// <summary>The bytes are not a TLS handshake at all (plain HTTP, say).</summary>
    NotTls,

    /// <summary>It starts as TLS but breaks the format, or is larger than a ClientHello may be.</summary>
    Invalid,
}

/// <summary>The parts of a ClientHello that routing and certificate selection need.</summary>
internal sealed record ClientHelloInfo(string? ServerName, ImmutableArray<string> ApplicationProtocols)
{
    public bool Offers(string protocol) => ApplicationProtocols.Contains(protocol, StringComparer.Ordinal);
}

/// <summary>
/// Reads the ClientHello from the raw bytes of a connection without consuming them: the handshake message may be
/// split over several TLS records, and the records over several reads; nothing is assumed about where the buffer's
/// segments fall (RFC 8446 5.1 and 4.1.2, RFC 6066 3, RFC 7301 3.1).
/// </summary>
internal static class ClientHelloParser
{
    /// <summary>Largest ClientHello message accepted (HAProxy's default buffer is as large).</summary>
    public const int MaxMessageLength = 16 * 1024;

    /// <summary>Largest number of bytes a peek may hold (records carrying the message, with their headers).</summary>
    public const int MaxPeekBytes = 64 * 1024;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const ushort ServerNameExtension = 0;
    private const ushort AlpnExtension = 16;

    /// <summary>
    /// Parses what has arrived. When <see cref="ClientHelloStatus.Incomplete"/>, <paramref name="needed"/> is the
    /// buffer length worth trying again at, so that a client sending one byte at a time costs one parse per record.
    /// </summary>
    public static ClientHelloStatus TryParse(in ReadOnlySequence<byte> buffer, out ClientHelloInfo? hello, out long needed)
    {
        hello = null;
        needed = 0;
        Span<byte> header = stackalloc byte[5];
        var message = new ArrayBufferWriter<byte>(512);
        long offset = 0;
        while (true)
        {
            var available = buffer.Length - offset;
            if (available < header.Length)
            {
                // Reject non-TLS as early as the first byte, so a plain-HTTP client is not kept waiting.
                if (available > 0)
                {
                    buffer.Slice(offset, available).CopyTo(header);
                    if (header[0] != HandshakeRecord || (available > 1 && header[1] != 3))
                    {
                        return ClientHelloStatus.NotTls;
                    }
                }

                needed = offset + header.Length;
                return ClientHelloStatus.Incomplete;
            }

            buffer.Slice(offset, header.Length).CopyTo(header);
            if (header[0] != HandshakeRecord || header[1] != 3 || header[2] > 4)
            {
                return offset == 0 ? ClientHelloStatus.NotTls : ClientHelloStatus.Invalid;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (length is 0 or > 16384)
            {
                return ClientHelloStatus.Invalid;
            }

            if (offset == 0 && available > 5 && buffer.Slice(5, 1).FirstSpan[0] != ClientHelloMessage)
            {
                return ClientHelloStatus.NotTls;
            }

            var end = offset + header.Length + length;
            if (end > MaxPeekBytes)
            {
                return ClientHelloStatus.Invalid;
            }

            if (buffer.Length < end)
            {
                needed = end;
                return ClientHelloStatus.Incomplete;
            }

            buffer.Slice(offset + header.Length, length).CopyTo(message.GetSpan(length));
            message.Advance(length);
            offset = end;

            var bytes = message.WrittenSpan;
            if (bytes.Length < 4)
            {
                continue;
            }

            if (bytes[0] != ClientHelloMessage)
            {
                return ClientHelloStatus.Invalid;
            }

            var messageLength = (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
            if (messageLength > MaxMessageLength)
            {
                return ClientHelloStatus.Invalid;
            }

            if (bytes.Length >= 4 + messageLength)
            {
                hello = ParseBody(bytes.Slice(4, messageLength));
                return hello is null ? ClientHelloStatus.Invalid : ClientHelloStatus.ClientHello;
            }
        }
    }

    private static ClientHelloInfo? ParseBody(ReadOnlySpan<byte> body)
    {
        // legacy_version, random, session id, cipher suites, compression methods.
        if (body.Length < 2 + 32 + 1 || !Skip(ref body, 2 + 32) || !SkipVector(ref body, 1, maxLength: 32) ||
            !SkipVector(ref body, 2, minLength: 2) || !SkipVector(ref body, 1, minLength: 1))
        {
            return null;
        }

        string? serverName = null;
        var protocols = ImmutableArray<string>.Empty;
        if (body.IsEmpty)
        {
            return new ClientHelloInfo(null, protocols);
        }

        if (!ReadVector(ref body, 2, out var extensions) || !body.IsEmpty)
        {
            return null;
        }

        var seen = new HashSet<ushort>();
        while (!extensions.IsEmpty)
        {
            if (extensions.Length < 4)
            {
                return null;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
            extensions = extensions[2..];
            if (!seen.Add(type) || !ReadVector(ref extensions, 2, out var data))
            {
                return null;
            }

            if (type == ServerNameExtension && !TryReadServerName(data, out serverName))
            {
                return null;
            }

            if (type == AlpnExtension && !TryReadProtocols(data, out protocols))
            {
                return null;
            }
        }

        return new ClientHelloInfo(serverName, protocols);
    }

    private static bool TryReadServerName(ReadOnlySpan<byte> data, out string? serverName)
    {
        serverName = null;
        if (!ReadVector(ref data, 2, out var list) || !data.IsEmpty || list.IsEmpty)
        {
            return false;
        }

        while (!list.IsEmpty)
        {
            var nameType = list[0];
            list = list[1..];
            if (!ReadVector(ref list, 2, out var name) || name.IsEmpty)
            {
                return false;
            }

            // host_name (0) is the only type defined; names are ASCII DNS names (RFC 6066 3).
            if (nameType == 0 && serverName is null)
            {
                foreach (var c in name)
                {
                    if (!(char.IsAsciiLetterOrDigit((char)c) || c is (byte)'-' or (byte)'.' or (byte)'_'))
                    {
                        return false;
                    }
                }

                serverName = Encoding.ASCII.GetString(name).ToLowerInvariant();
            }
        }

        return true;
    }

    private static bool TryReadProtocols(ReadOnlySpan<byte> data, out ImmutableArray<string> protocols)
    {
        protocols = [];
        if (!ReadVector(ref data, 2, out var list) || !data.IsEmpty || list.IsEmpty)
        {
            return false;
        }

        var result = ImmutableArray.CreateBuilder<string>();
        while (!list.IsEmpty)
        {
            if (!ReadVector(ref list, 1, out var protocol) || protocol.IsEmpty)
            {
                return false;
            }

            result.Add(Encoding.Latin1.GetString(protocol));
        }

        protocols = result.ToImmutable();
        return true;
    }

    private static bool Skip(ref ReadOnlySpan<byte> span, int count)
    {
        if (span.Length < count)
        {
            return false;
        }

        span = span[count..];
        return true;
    }

    private static bool SkipVector(ref ReadOnlySpan<byte> span, int lengthBytes, int minLength = 0, int maxLength = int.MaxValue) =>
        ReadVector(ref span, lengthBytes, out var vector) && vector.Length >= minLength && vector.Length <= maxLength;

    private static bool ReadVector(ref ReadOnlySpan<byte> span, int lengthBytes, out ReadOnlySpan<byte> vector)
    {
        vector = default;
        if (span.Length < lengthBytes)
        {
            return false;
        }

        var length = lengthBytes == 1 ? span[0] : BinaryPrimitives.ReadUInt16BigEndian(span);
        span = span[lengthBytes..];
        if (span.Length < length)
        {
            return false;
        }

        vector = span[..length];
        span = span[length..];
        return true;
    }
}

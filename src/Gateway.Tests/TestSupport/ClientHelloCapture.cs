using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Gateway.Tests.TestSupport;

/// <summary>Real ClientHello bytes, as .NET's own TLS client (OpenSSL underneath) sends them.</summary>
public static class ClientHelloCapture
{
    public static async Task<byte[]> CaptureAsync(string? sni, params string[] alpn)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni ?? string.Empty,
            ApplicationProtocols = alpn.Length == 0 ? null : alpn.Select(a => new SslApplicationProtocol(a)).ToList(),
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        // One record holds the whole ClientHello for these clients: header, then its length.
        var stream = server.GetStream();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        var body = new byte[(header[3] << 8) | header[4]];
        await stream.ReadExactlyAsync(body);
        server.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        await tls.DisposeAsync();
        return [.. header, .. body];
    }

    /// <summary>The same handshake message carried in records of at most <paramref name="fragment"/> bytes each.</summary>
    public static byte[] Refragment(byte[] record, int fragment)
    {
        var message = record.AsSpan(5);
        var result = new List<byte>();
        for (var offset = 0; offset < message.Length; offset += fragment)
        {
            var length = Math.Min(fragment, message.Length - offset);
            result.AddRange([record[0], record[1], record[2], (byte)(length >> 8), (byte)length]);
            result.AddRange(message.Slice(offset, length).ToArray());
        }

        return [.. result];
    }

    /// <summary>A sequence whose segments are <paramref name="size"/> bytes long, as a slow client's reads would be.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var memory = bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

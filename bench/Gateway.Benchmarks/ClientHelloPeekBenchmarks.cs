using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Gateway.Tls;

namespace Gateway.Benchmarks;

/// <summary>
/// The peek every https connection goes through before its handshake: a real ClientHello (.NET's TLS client, SNI and
/// ALPN h2 + http/1.1) already in the connection's pipe, read and parsed without consuming it
/// (<see cref="ClientHelloPeek"/>), and the parser alone on one buffer and on 64-byte segments (a slow client).
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class ClientHelloPeekBenchmarks
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0));
    private byte[] _hello = null!;
    private ReadOnlySequence<byte> _segmented;

    [GlobalSetup]
    public async Task Setup()
    {
        _hello = await CaptureAsync("app.bench");
        _segmented = Segments.Of(_hello, 64);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Peek()
    {
        await _pipe.Writer.WriteAsync(_hello);
        var result = await ClientHelloPeek.PeekAsync(_pipe.Reader, TimeSpan.FromSeconds(10), CancellationToken.None);

        // The handshake would read these bytes next; consume them so the pipe is empty for the next operation.
        _pipe.Reader.TryRead(out var read);
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return (int)result.Status;
    }

    [Benchmark]
    public int ParseOneBuffer() => (int)ClientHelloParser.TryParse(new ReadOnlySequence<byte>(_hello), out _, out _);

    [Benchmark]
    public int ParseSegments() => (int)ClientHelloParser.TryParse(_segmented, out _, out _);

    /// <summary>The first record a real TLS client sends, caught on a loopback socket.</summary>
    private static async Task<byte[]> CaptureAsync(string sni)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var stream = server.GetStream();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        var body = new byte[(header[3] << 8) | header[4]];
        await stream.ReadExactlyAsync(body);
        server.Close();
        try
        {
            await handshake;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            // Expected: the "server" hung up after the ClientHello.
        }

        await tls.DisposeAsync();
        return [.. header, .. body];
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long start)
        {
            Memory = memory;
            RunningIndex = start;
        }

        public static ReadOnlySequence<byte> Of(byte[] bytes, int size)
        {
            Segments? first = null;
            Segments? last = null;
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                var next = new Segments(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
                if (last is null)
                {
                    first = next;
                }
                else
                {
                    last.Next = next;
                }

                last = next;
            }

            return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
        }
    }
}

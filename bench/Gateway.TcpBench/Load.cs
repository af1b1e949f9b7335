using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Gateway.TcpBench;

/// <summary>The two measurements: one long stream's MB/s, and new connections per second.</summary>
internal static class Load
{
    /// <summary>Connects, sends the ClientHello, reads until the server closes; MB/s (10^6 bytes) from connect to close.</summary>
    public static async Task<double> StreamAsync(int port, byte[] hello, long expected, CancellationToken cancellation)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var buffer = new byte[256 * 1024];
        var stopwatch = Stopwatch.StartNew();
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
        await socket.SendAsync(hello, SocketFlags.None, cancellation);
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
        {
            total += read;
        }

        stopwatch.Stop();
        if (total != expected)
        {
            throw new InvalidOperationException($"received {total} bytes of {expected}");
        }

        return total / stopwatch.Elapsed.TotalSeconds / 1e6;
    }

    /// <summary>
    /// <paramref name="workers"/> loops, each: connect, send the ClientHello, read the one byte and the close, close.
    /// Returns completed connections per second and the failures.
    /// </summary>
    public static async Task<(double PerSecond, long Failures)> ConnectionsAsync(int port, byte[] hello, int workers, TimeSpan duration, CancellationToken cancellation)
    {
        long done = 0;
        long failed = 0;
        var stopwatch = Stopwatch.StartNew();
        var until = duration;
        async Task WorkerAsync()
        {
            var buffer = new byte[16];
            while (stopwatch.Elapsed < until && !cancellation.IsCancellationRequested)
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellation);
                    await socket.SendAsync(hello, SocketFlags.None, cancellation);
                    var got = 0;
                    int read;
                    while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation)) > 0)
                    {
                        got += read;
                    }

                    if (got == 1)
                    {
                        Interlocked.Increment(ref done);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(WorkerAsync, cancellation)));
        return (done / stopwatch.Elapsed.TotalSeconds, failed);
    }

    /// <summary>A real ClientHello for <paramref name="sni"/>, as .NET's TLS client (OpenSSL) sends it.</summary>
    public static async Task<byte[]> ClientHelloAsync(string sni)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await listener.AcceptTcpClientAsync();
        await using var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni, RemoteCertificateValidationCallback = (_, _, _, _) => true });
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
        }

        return [.. header, .. body];
    }
}

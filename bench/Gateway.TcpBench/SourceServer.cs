using System.Net;
using System.Net.Sockets;

namespace Gateway.TcpBench;

/// <summary>
/// The destination behind the proxies: reads the client's first TLS record (the ClientHello the proxy routed by), then
/// sends <see cref="Bytes"/> bytes and closes first, so TIME_WAIT stays on its side and off the clients' ports.
/// </summary>
internal sealed class SourceServer : IAsyncDisposable
{
    private static readonly byte[] Chunk = new byte[256 * 1024];
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    public SourceServer(long bytes)
    {
        Bytes = bytes;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4096);
        _accepting = AcceptAsync();
    }

    public long Bytes { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stopping.Token);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                socket.NoDelay = true;
                var header = new byte[5];
                await ReadExactlyAsync(socket, header);
                await ReadExactlyAsync(socket, new byte[(header[3] << 8) | header[4]]);
                for (var left = Bytes; left > 0; left -= Math.Min(left, Chunk.Length))
                {
                    await socket.SendAsync(Chunk.AsMemory(0, (int)Math.Min(left, Chunk.Length)), SocketFlags.None, _stopping.Token);
                }

                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
            {
            }
        }
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }
    }
}

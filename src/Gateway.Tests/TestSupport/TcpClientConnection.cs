using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>A raw TCP client on loopback, from any loopback source address, with bounded reads.</summary>
public sealed class TcpClientConnection : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();

    private TcpClientConnection(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    public static async Task<TcpClientConnection> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(from ?? IPAddress.Loopback, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new TcpClientConnection(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>One line (without its LF), or null when the connection ends first.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var bytes = _pending.ToArray();
            var newline = Array.IndexOf(bytes, (byte)'\n');
            if (newline >= 0)
            {
                _pending.SetLength(0);
                _pending.Write(bytes, newline + 1, bytes.Length - newline - 1);
                return Encoding.ASCII.GetString(bytes, 0, newline);
            }

            var read = await Stream.ReadAsync(_buffer, timeout.Token);
            if (read == 0)
            {
                return null;
            }

            _pending.Write(_buffer, 0, read);
        }
    }

    /// <summary>Everything until the other side closes (or resets), as text.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        var result = new MemoryStream();
        result.Write(_pending.ToArray());
        _pending.SetLength(0);
        try
        {
            int read;
            while ((read = await Stream.ReadAsync(_buffer, timeout.Token)) > 0)
            {
                result.Write(_buffer, 0, read);
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
        }

        return Encoding.ASCII.GetString(result.ToArray());
    }

    /// <summary>True when the gateway closes the connection (FIN or reset) within <paramref name="within"/>.</summary>
    public async Task<bool> ClosedByPeerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await Stream.ReadAsync(_buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A runtime API client as socat is one: connect, send everything, half-close, read until the server closes. Bounded
/// in time so that a server which does not close fails the test instead of hanging it.
/// </summary>
public static class CliClient
{
    public static async Task<byte[]> SendAsync(EndPoint endPoint, byte[] input, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(20));
        using var socket = Connect(endPoint);
        await socket.ConnectAsync(endPoint, timeout.Token);
        await socket.SendAsync(input, SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        return await ReadToEndAsync(socket, timeout.Token);
    }

    public static async Task<string> SendAsync(EndPoint endPoint, string input) =>
        Encoding.UTF8.GetString(await SendAsync(endPoint, Encoding.UTF8.GetBytes(input)));

    public static Socket Connect(EndPoint endPoint) => endPoint is UnixDomainSocketEndPoint
        ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real TCP server on a loopback port playing a destination behind the gateway: it says its name first (like an
/// ssh server's banner) when asked to, then echoes every byte; when the client half-closes, it finishes echoing and
/// closes. With a certificate it speaks TLS first (its own certificate, as a passthrough backend) and does the same
/// inside. It records who connected and the SNI it was asked for.
/// </summary>
public sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly bool _banner;
    private readonly X509Certificate2? _certificate;
    private Task _accepting = Task.CompletedTask;
    private int _active;
    private int _accepted;

    private TcpEchoServer(string name, bool banner, X509Certificate2? certificate)
    {
        Name = name;
        _banner = banner;
        _certificate = certificate;
    }

    public string Name { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>The peers of every accepted connection, in order.</summary>
    public ConcurrentQueue<IPEndPoint> Peers { get; } = new();

    /// <summary>Server names TLS clients asked for.</summary>
    public ConcurrentQueue<string> ServerNames { get; } = new();

    public int Accepted => Volatile.Read(ref _accepted);

    public int Active => Volatile.Read(ref _active);

    public static TcpEchoServer Start(string name, bool banner = true, X509Certificate2? certificate = null)
    {
        var server = new TcpEchoServer(name, banner, certificate);
        server._listener.Start(512);
        server._accepting = server.AcceptAsync();
        return server;
    }

    /// <summary>Stops accepting (the port then refuses connections) while open connections go on.</summary>
    public void StopListening() => _listener.Stop();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_connections);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            Peers.Enqueue((IPEndPoint)socket.RemoteEndPoint!);
            _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Interlocked.Increment(ref _active);
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: true);
            Stream stream = network;
            if (_certificate is not null)
            {
                var tls = new SslStream(network);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stopping.Token);
                ServerNames.Enqueue(tls.TargetHostName);
                stream = tls;
            }

            if (_banner)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(Name + "\n"), _stopping.Token);
            }

            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }

            // The client half-closed: everything is echoed, so close our side too.
            if (stream is SslStream ssl)
            {
                await ssl.ShutdownAsync();
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}

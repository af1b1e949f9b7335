using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Gateway.Tcp.Forwarding;

/// <summary>
/// Copies bytes both ways between a client connection (Kestrel's transport pipes) and a destination socket until
/// both sides are done. A client that half-closes (FIN) has that passed on (<c>shutdown(SHUT_WR)</c>) while the
/// destination's answer still flows back; when the destination closes, the client connection is closed after the
/// last byte (Kestrel closes both directions of its socket at once). Nothing in either direction for the idle timeout,
/// a reset on either side, or the server stopping: both are closed. Bytes are counted in the connection's info.
/// </summary>
internal sealed class TcpTunnel : IDisposable
{
    /// <summary>Largest read from a destination at once (rented from the shared pool only while data is there).</summary>
    private const int ReceiveSize = 64 * 1024;

    private readonly ConnectionContext _client;
    private readonly Socket _destination;
    private readonly TcpConnectionInfo _info;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly ITimer _idleTimer;
    private long _lastActivity;
    private int _aborted;

    private TcpTunnel(ConnectionContext client, Socket destination, TcpConnectionInfo info, TimeSpan idle, TimeProvider time)
    {
        _client = client;
        _destination = destination;
        _info = info;
        _time = time;
        _idle = idle;
        _lastActivity = time.GetTimestamp();
        _idleTimer = time.CreateTimer(static state => ((TcpTunnel)state!).CheckIdle(), this, idle, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs the tunnel until both directions are done; the destination socket is disposed at the end.</summary>
    public static async Task RunAsync(ConnectionContext client, Socket destination, TcpConnectionInfo info, TimeSpan idle, TimeProvider time)
    {
        using var tunnel = new TcpTunnel(client, destination, info, idle, time);
        var lifetime = client.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var stopping = lifetime?.ConnectionClosedRequested.Register(static state => ((TcpTunnel)state!).Abort("shutdown"), tunnel);
        await Task.WhenAll(tunnel.ClientToDestinationAsync(), tunnel.DestinationToClientAsync());
    }

    public void Dispose()
    {
        _idleTimer.Dispose();
        _destination.Dispose();
    }

    private async Task ClientToDestinationAsync()
    {
        var input = _client.Transport.Input;
        var segments = new List<ArraySegment<byte>>();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await SendAsync(buffer, segments);
                    _info.AddFromClient(buffer.Length);
                    Touch();
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            // The client sent FIN: pass the half-close on, and keep the way back open for the answer.
            _info.Termination ??= "client-closed";
            _destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            Abort(e is SocketException or ObjectDisposedException ? "destination-reset" : "client-reset");
        }
    }

    private async Task DestinationToClientAsync()
    {
        var output = _client.Transport.Output;
        try
        {
            while (true)
            {
                // Wait for data before taking a buffer, so an idle tunnel holds none.
                await _destination.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var memory = output.GetMemory(ReceiveSize);
                var received = await _destination.ReceiveAsync(memory, SocketFlags.None);
                if (received == 0)
                {
                    break;
                }

                output.Advance(received);
                _info.AddToClient(received);
                Touch();
                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    Abort("client-reset");
                    return;
                }
            }

            _info.Termination ??= "destination-closed";
            await output.CompleteAsync();
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            Abort(e is SocketException or ObjectDisposedException ? "destination-reset" : "client-reset");
        }
    }

    private async ValueTask SendAsync(System.Buffers.ReadOnlySequence<byte> buffer, List<ArraySegment<byte>> segments)
    {
        if (buffer.IsSingleSegment)
        {
            await _destination.SendAsync(buffer.First, SocketFlags.None);
            return;
        }

        // One sendmsg for all of Kestrel's blocks when they are arrays (they are: pinned arrays).
        segments.Clear();
        foreach (var memory in buffer)
        {
            if (!MemoryMarshal.TryGetArray(memory, out var segment))
            {
                foreach (var part in buffer)
                {
                    await _destination.SendAsync(part, SocketFlags.None);
                }

                return;
            }

            segments.Add(segment);
        }

        var sent = await _destination.SendAsync(segments, SocketFlags.None);
        if (sent < buffer.Length)
        {
            // A gathering send may stop short; send the rest piece by piece.
            foreach (var part in buffer.Slice(sent))
            {
                await _destination.SendAsync(part, SocketFlags.None);
            }
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private void CheckIdle()
    {
        var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (quiet >= _idle)
        {
            Abort("idle-timeout");
            return;
        }

        try
        {
            _idleTimer.Change(_idle - quiet, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The tunnel ended meanwhile.
        }
    }

    /// <summary>Closes both sides at once; the first reason given is the one recorded.</summary>
    private void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        if (_info.Termination is null or "client-closed")
        {
            _info.Termination = reason;
        }

        _destination.Dispose();
        _client.Abort(new ConnectionAbortedException($"The TCP tunnel was closed: {reason}."));
    }

    private static bool IsConnectionError(Exception e) =>
        e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;
}

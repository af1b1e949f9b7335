using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;

namespace Gateway.RuntimeApi;

/// <summary>
/// Binds the runtime API sockets when the gateway starts (a bind failure stops start-up, loudly) and serves them until
/// it stops. Each socket accepts at most <see cref="RuntimeApiConfig.MaxConnections"/> connections at once; further
/// clients wait in the kernel's backlog rather than being refused. Socket settings take effect at the next restart.
/// </summary>
internal sealed partial class RuntimeApiHost(
    GatewayConfigManager config, CommandTable table, ILoggerFactory loggers, ILogger<RuntimeApiHost> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Connections the kernel queues while every slot is busy (a burst of clients waits instead of failing).</summary>
    public const int Backlog = 1024;

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly List<Socket> _listeners = [];
    private UnixSocketFile? _unixFile;
    private string? _socketPath;

    /// <summary>Where the TCP socket listens (its real port when configured with port 0); null when off.</summary>
    public IPEndPoint? TcpEndPoint { get; private set; }

    /// <summary>The Unix socket's path; null when off.</summary>
    public string? SocketPath => _socketPath;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = config.Current.RuntimeApi;
        config.Changed += (_, next) =>
        {
            if (next.RuntimeApi != settings)
            {
                Log.NeedsRestart(logger);
            }
        };

        if (settings.Socket is { } unix)
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("The runtime API's Unix socket needs Linux; set Gateway:RuntimeApi:Socket:Enabled to false and use Tcp.");
            }

            _unixFile = UnixSocketFile.Bind(unix);
            _socketPath = unix.Path;
            _listeners.Add(_unixFile.Listener);
            Serve(_unixFile.Listener, unix.Level, unix.Actor, settings);
            Log.Listening(logger, unix.Path, Convert.ToString((int)unix.Mode, 8), unix.Level.ToString().ToLowerInvariant());
        }

        if (settings.Tcp is { } tcp)
        {
            var listener = new Socket(tcp.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(tcp.EndPoint);
                listener.Listen(Backlog);
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new IOException($"The runtime API cannot listen on {tcp.EndPoint}: {e.Message}", e);
            }

            _listeners.Add(listener);
            TcpEndPoint = (IPEndPoint)listener.LocalEndPoint!;
            Serve(listener, tcp.Level, "socket:" + TcpEndPoint, settings);
            Log.Listening(logger, TcpEndPoint.ToString(), "tcp", tcp.Level.ToString().ToLowerInvariant());
            if (!tcp.IsLoopback)
            {
                Log.TcpNotLoopback(logger, TcpEndPoint.ToString());
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        if (!OperatingSystem.IsWindows())
        {
            _unixFile?.Remove();
        }
        await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
        }

        _stopping.Dispose();
    }

    private void Serve(Socket listener, CliLevel level, string actor, RuntimeApiConfig settings) =>
        _loops.Add(Task.Run(() => AcceptAsync(listener, level, actor, settings)));

    private async Task AcceptAsync(Socket listener, CliLevel level, string actor, RuntimeApiConfig settings)
    {
        var stopping = _stopping.Token;
        using var slots = new SemaphoreSlim(settings.MaxConnections);
        var sessions = new List<Task>();
        var sessionLogger = loggers.CreateLogger<CliSession>();
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await slots.WaitAsync(stopping);
                client = await listener.AcceptAsync(stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.ConnectionAborted)
            {
                // Out of descriptors or a client that vanished while queued: let go of the slot and carry on.
                slots.Release();
                Log.AcceptFailed(logger, actor, e.SocketErrorCode.ToString());
                await Task.Delay(100, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            var session = new CliSession(client, level, actor, table, settings.Timeout, sessionLogger);
            sessions.RemoveAll(t => t.IsCompleted);
            sessions.Add(RunAsync(session, slots, stopping));
        }

        await Task.WhenAll(sessions);
    }

    private static async Task RunAsync(CliSession session, SemaphoreSlim slots, CancellationToken stopping)
    {
        try
        {
            await session.RunAsync(stopping);
        }
        finally
        {
            slots.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RuntimeApiListening, LogLevel.Information, "Runtime API listening on {Socket} ({Mode}), level {Level}.")]
        public static partial void Listening(ILogger logger, string socket, string mode, string level);

        [LoggerMessage(Observability.EventIds.RuntimeApiTcpNotLoopback, LogLevel.Warning,
            "The runtime API TCP socket listens on {EndPoint}, beyond loopback, without encryption or authentication: anyone who reaches it can change access lists. Bind it to 127.0.0.1 and reach it through an encrypted tunnel (spiped, see the README).")]
        public static partial void TcpNotLoopback(ILogger logger, string endPoint);

        [LoggerMessage(Observability.EventIds.RuntimeApiNeedsRestart, LogLevel.Warning, "Runtime API socket settings changed; they take effect at the next restart, the current sockets stay as they are.")]
        public static partial void NeedsRestart(ILogger logger);

        [LoggerMessage(Observability.EventIds.RuntimeApiAcceptFailed, LogLevel.Warning, "Runtime API on {Socket} could not accept a connection: {Error}.")]
        public static partial void AcceptFailed(ILogger logger, string socket, string error);
    }
}

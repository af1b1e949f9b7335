using Microsoft.AspNetCore.Connections;

namespace Gateway.Tls;

/// <summary>Set on a connection whose first bytes were a ClientHello.</summary>
internal sealed class ClientHelloFeature(ClientHelloInfo hello)
{
    public ClientHelloInfo Hello { get; } = hello;
}

/// <summary>
/// Connection middleware in front of the TLS handshake: peeks at the ClientHello without consuming a byte (the
/// handshake that follows reads it again), bounded in bytes by the parser and in time by <paramref name="timeout"/>,
/// and records it as a <see cref="ClientHelloFeature"/>. A client that sends nothing in time is disconnected.
/// </summary>
internal sealed partial class ClientHelloMiddleware(ConnectionDelegate next, TimeSpan timeout, ILogger<ClientHelloMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        ClientHelloInfo? hello = null;
        long needed = 1;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                var status = ClientHelloStatus.Incomplete;
                if (buffer.Length >= needed)
                {
                    status = ClientHelloParser.TryParse(buffer, out hello, out needed);
                }

                if (status == ClientHelloStatus.Incomplete && !result.IsCompleted)
                {
                    // Everything seen, nothing consumed: the next read waits for more bytes.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                input.AdvanceTo(buffer.Start);
                if (status == ClientHelloStatus.Incomplete)
                {
                    return;
                }

                if (status != ClientHelloStatus.ClientHello)
                {
                    Log.NotClientHello(logger, connection.ConnectionId, status);
                }

                break;
            }
        }
        catch (OperationCanceledException)
        {
            if (!connection.ConnectionClosed.IsCancellationRequested)
            {
                Log.PeekTimedOut(logger, connection.ConnectionId, timeout);
            }

            return;
        }

        if (hello is not null)
        {
            connection.Features.Set(new ClientHelloFeature(hello));
        }

        await next(connection);
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.ClientHelloTimedOut, LogLevel.Debug, "Connection {ConnectionId} sent no complete ClientHello within {Timeout}; closed.")]
        public static partial void PeekTimedOut(ILogger logger, string connectionId, TimeSpan timeout);

        [LoggerMessage(Observability.EventIds.NotClientHello, LogLevel.Debug, "Connection {ConnectionId} did not start with a TLS ClientHello ({Status}).")]
        public static partial void NotClientHello(ILogger logger, string connectionId, ClientHelloStatus status);
    }
}

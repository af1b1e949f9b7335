using Microsoft.AspNetCore.Connections;

namespace Gateway.Tls;

/// <summary>
/// Set on a connection of an https listener once its first bytes were looked at: a ClientHello (with
/// <see cref="Hello"/>), bytes that are not TLS, or TLS the parser could not read (the handshake decides then).
/// </summary>
internal sealed class ClientHelloFeature(ClientHelloStatus status, ClientHelloInfo? hello)
{
    public ClientHelloStatus Status { get; } = status;

    public ClientHelloInfo? Hello { get; } = hello;
}

/// <summary>
/// Connection middleware in front of the TLS handshake: peeks at the ClientHello without consuming a byte (the
/// handshake that follows reads it again), bounded in bytes by the parser and in time by <paramref name="timeout"/>,
/// and records what it found as a <see cref="ClientHelloFeature"/>. A client that sends nothing in time is disconnected.
/// </summary>
internal sealed partial class ClientHelloMiddleware(ConnectionDelegate next, TimeSpan timeout, ILogger<ClientHelloMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var peek = await ClientHelloPeek.PeekAsync(connection.Transport.Input, timeout, connection.ConnectionClosed);
        if (peek.Outcome == ClientHelloPeekOutcome.TimedOut)
        {
            Log.PeekTimedOut(logger, connection.ConnectionId, timeout);
            return;
        }

        if (peek.Outcome == ClientHelloPeekOutcome.Closed)
        {
            return;
        }

        if (peek.Status != ClientHelloStatus.ClientHello)
        {
            Log.NotClientHello(logger, connection.ConnectionId, peek.Status);
        }

        connection.Features.Set(new ClientHelloFeature(peek.Status, peek.Hello));
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

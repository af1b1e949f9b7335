using System.IO.Pipelines;

namespace Gateway.Tls;

/// <summary>How a peek at the ClientHello ended.</summary>
internal enum ClientHelloPeekOutcome
{
    /// <summary>The parser decided: a ClientHello, not TLS, or broken TLS (see the status).</summary>
    Decided,

    /// <summary>The client sent nothing decisive in time.</summary>
    TimedOut,

    /// <summary>The client closed (or the connection was aborted) before the parser could decide.</summary>
    Closed,
}

/// <summary>What a peek found. <see cref="Hello"/> is set only for <see cref="ClientHelloStatus.ClientHello"/>.</summary>
internal readonly record struct ClientHelloPeekResult(ClientHelloPeekOutcome Outcome, ClientHelloStatus Status, ClientHelloInfo? Hello);

/// <summary>
/// Peeks at the first bytes of a connection until the <see cref="ClientHelloParser"/> can decide, consuming nothing:
/// <c>AdvanceTo(start, end)</c> while undecided, then <c>AdvanceTo(start)</c>, so whoever reads next (the TLS
/// handshake, a passthrough tunnel) sees every byte. Bounded in bytes by the parser and in time by the timeout; the
/// wait holds no thread.
/// </summary>
internal static class ClientHelloPeek
{
    public static async ValueTask<ClientHelloPeekResult> PeekAsync(PipeReader input, TimeSpan timeout, CancellationToken connectionClosed)
    {
        long needed = 1;

        // A client usually sends its ClientHello with the connection: decide without arming a timer when it is here.
        if (input.TryRead(out var ready) && Decide(input, ready, ref needed) is { } early)
        {
            return early;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connectionClosed);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (Decide(input, await input.ReadAsync(deadline.Token), ref needed) is { } decided)
                {
                    return decided;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new ClientHelloPeekResult(
                connectionClosed.IsCancellationRequested ? ClientHelloPeekOutcome.Closed : ClientHelloPeekOutcome.TimedOut, ClientHelloStatus.Incomplete, null);
        }
    }

    /// <summary>Parses what has arrived; null (everything examined, nothing consumed) while undecided.</summary>
    private static ClientHelloPeekResult? Decide(PipeReader input, ReadResult result, ref long needed)
    {
        var buffer = result.Buffer;
        var status = ClientHelloStatus.Incomplete;
        ClientHelloInfo? hello = null;
        if (buffer.Length >= needed)
        {
            status = ClientHelloParser.TryParse(buffer, out hello, out needed);
        }

        if (status == ClientHelloStatus.Incomplete && !result.IsCompleted && !result.IsCanceled)
        {
            // Everything seen, nothing consumed: the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
            return null;
        }

        input.AdvanceTo(buffer.Start);
        return status == ClientHelloStatus.Incomplete
            ? new ClientHelloPeekResult(ClientHelloPeekOutcome.Closed, status, null)
            : new ClientHelloPeekResult(ClientHelloPeekOutcome.Decided, status, hello);
    }
}

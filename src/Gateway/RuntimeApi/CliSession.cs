using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Gateway.State;

namespace Gateway.RuntimeApi;

/// <summary>
/// One runtime API connection, HAProxy's CLI applet: reads commands (one per line or <c>;</c>-separated), runs each
/// through the command table, and ends every reply with an empty line, or with the prompt in interactive mode. Not
/// interactive, it closes once it has answered everything the client had sent. A slow or silent client is dropped
/// after the timeout; an over-long line closes the connection. Every failure is caught here, at the session's edge:
/// the connection ends and the gateway keeps serving.
/// </summary>
internal sealed partial class CliSession(Socket socket, CliLevel level, string actor, CommandTable table, TimeSpan timeout, ILogger logger)
{
    private readonly StringBuilder _payload = new();
    private string? _payloadCommand;
    private int _payloadBytes;
    private CancellationTokenSource _io = null!;

    public async Task RunAsync(CancellationToken stopping)
    {
        _io = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        var context = new CliContext(new CliOutput(writer, IoToken), level, actor, table, _io.Token);
        try
        {
            await ProcessAsync(reader, context);
        }
        catch (CliProtocolException e)
        {
            Log.ProtocolError(logger, actor, e.Message);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Log.TimedOut(logger, actor, timeout.TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            // The gateway is stopping.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Log.Disconnected(logger, actor, e.Message);
        }
        catch (Exception e)
        {
            // A bug in a command: this connection ends, every other one and the gateway carry on.
            Log.Failed(logger, actor, e);
        }
        finally
        {
            await reader.CompleteAsync();
            await writer.CompleteAsync();
            await stream.DisposeAsync();
            _io.Dispose();
        }
    }

    private async Task ProcessAsync(PipeReader reader, CliContext context)
    {
        while (true)
        {
            var result = await reader.ReadAsync(IoToken());
            var buffer = result.Buffer;
            var answered = false;
            while (!context.Quit && CliLineReader.TryRead(ref buffer, _payloadCommand is not null, out var line))
            {
                answered |= await HandleLineAsync(line, context);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            await DrainAsync(context);
            await context.Output.FlushAsync();
            if (context.Quit || result.IsCompleted)
            {
                // quit, or the end of input (a last line without its newline gets no reply, as with HAProxy).
                return;
            }

            if (answered && !context.Interactive && _payloadCommand is null && buffer.IsEmpty && socket.Available == 0)
            {
                return;
            }
        }
    }

    /// <summary>Handles one command or payload line; true when a command ran (and its reply was written).</summary>
    private async ValueTask<bool> HandleLineAsync(ReadOnlySequence<byte> line, CliContext context)
    {
        if (_payloadCommand is { } command)
        {
            if (!line.IsEmpty)
            {
                _payloadBytes += (int)line.Length + 1;
                if (_payloadBytes > CliLineReader.MaxLength)
                {
                    CliProtocolException.LineTooLong(CliLineReader.MaxLength);
                }

                _payload.Append(_payload.Length == 0 ? string.Empty : "\n").Append(CliArgs.Decode(Span(line)));
                WritePayloadPrompt(context);
                return false;
            }

            var payload = _payload.ToString();
            _payload.Clear();
            _payloadCommand = null;
            await ExecuteAsync(command, payload, context);
            return true;
        }

        var bytes = Span(line);
        if (CliArgs.AnnouncesPayload(bytes))
        {
            _payloadCommand = CliArgs.Decode(bytes);
            _payloadBytes = bytes.Length;
            WritePayloadPrompt(context);
            return false;
        }

        await ExecuteAsync(CliArgs.Decode(bytes), null, context);
        return true;
    }

    private async ValueTask ExecuteAsync(string text, string? payload, CliContext context)
    {
        var args = CliArgs.Parse(text, payload);
        var command = table.Find(args);
        if (command is not { Pipelined: true } || context.InFlight >= CliContext.MaxInFlight)
        {
            // Anything but another pipelined change sees every earlier change applied.
            await DrainAsync(context);
        }

        if (command is null)
        {
            context.Reply(CliUsage.Build(table.All, args));
        }
        else if (context.Level < command.Level)
        {
            context.Reply(Replies.PermissionDenied);
        }
        else
        {
            try
            {
                await command.Handler(context, args);
            }
            catch (StoreUnavailableException e)
            {
                // Nothing changed; the client hears it as HAProxy's failure to update, and may retry.
                Log.StoreUnavailable(logger, actor, e.Message);
                context.Reply(Replies.FailedToUpdate);
            }
        }

        if (!context.Quit)
        {
            context.Reply(context.Interactive ? Replies.Prompt : Replies.EndOfReply);
        }
    }

    private ValueTask DrainAsync(CliContext context) =>
        context.InFlight == 0 ? ValueTask.CompletedTask : context.DrainAsync(e => Log.StoreUnavailable(logger, actor, e.Message));

    private static void WritePayloadPrompt(CliContext context)
    {
        if (context.Interactive)
        {
            context.Reply(Replies.PayloadPrompt);
        }
    }

    private static ReadOnlySpan<byte> Span(in ReadOnlySequence<byte> line) => line.IsSingleSegment ? line.FirstSpan : line.ToArray();

    /// <summary>A token that cancels if the next read or write does not complete within the timeout.</summary>
    private CancellationToken IoToken()
    {
        if (!_io.TryReset())
        {
            return _io.Token;
        }

        _io.CancelAfter(timeout);
        return _io.Token;
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RuntimeApiProtocolError, LogLevel.Warning, "Runtime API connection on {Socket} closed: {Problem}.")]
        public static partial void ProtocolError(ILogger logger, string socket, string problem);

        [LoggerMessage(Observability.EventIds.RuntimeApiTimedOut, LogLevel.Debug, "Runtime API connection on {Socket} closed after {Seconds}s without progress.")]
        public static partial void TimedOut(ILogger logger, string socket, double seconds);

        [LoggerMessage(Observability.EventIds.RuntimeApiDisconnected, LogLevel.Debug, "Runtime API client on {Socket} went away: {Reason}")]
        public static partial void Disconnected(ILogger logger, string socket, string reason);

        [LoggerMessage(Observability.EventIds.RuntimeApiStoreUnavailable, LogLevel.Warning, "Runtime API change on {Socket} refused: the access store is unavailable ({Reason}).")]
        public static partial void StoreUnavailable(ILogger logger, string socket, string reason);

        [LoggerMessage(Observability.EventIds.RuntimeApiSessionFailed, LogLevel.Error, "Runtime API connection on {Socket} failed and was closed.")]
        public static partial void Failed(ILogger logger, string socket, Exception exception);
    }
}

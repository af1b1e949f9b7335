using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.RuntimeApi;

/// <summary>A client broke the protocol in a way that ends its connection (an over-long line, say).</summary>
internal sealed class CliProtocolException(string message) : Exception(message)
{
    [DoesNotReturn]
    public static void LineTooLong(int limit) =>
        throw new CliProtocolException($"a command line or payload longer than {limit} bytes");
}

/// <summary>
/// Cuts commands out of the bytes a client sent, as HAProxy's CLI does: a command ends at a newline or at a semicolon
/// not escaped by a backslash (a backslash escapes any byte, newlines included); payload lines end at newlines only and
/// take no escapes. A trailing CR is dropped. Nothing is copied: the command is a slice of the input.
/// </summary>
internal static class CliLineReader
{
    /// <summary>HAProxy's buffer size (tune.bufsize): a command line, or a command with its payload, must fit in it.</summary>
    public const int MaxLength = 16 * 1024;

    private static readonly byte[] CommandDelimiters = "\n;\\"u8.ToArray();

    /// <summary>
    /// Takes the next command (or payload line) from <paramref name="buffer"/>; false when no complete one is there yet.
    /// Throws <see cref="CliProtocolException"/> when none fits in <see cref="MaxLength"/> bytes.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, bool payload, out ReadOnlySequence<byte> line)
    {
        var window = buffer.Length > MaxLength ? buffer.Slice(0, MaxLength) : buffer;
        var reader = new SequenceReader<byte>(window);
        while (true)
        {
            var found = payload ? reader.TryAdvanceTo((byte)'\n', advancePastDelimiter: false) : reader.TryAdvanceToAny(CommandDelimiters, advancePastDelimiter: false);
            if (!found)
            {
                break;
            }

            reader.TryRead(out var delimiter);
            if (delimiter == '\\')
            {
                // The escaped byte never ends the command; it may still be on its way.
                if (!reader.TryRead(out _))
                {
                    break;
                }

                continue;
            }

            line = window.Slice(0, reader.Consumed - 1);
            if (EndsWithCr(line))
            {
                line = line.Slice(0, line.Length - 1);
            }

            buffer = buffer.Slice(reader.Consumed);
            return true;
        }

        if (buffer.Length >= MaxLength)
        {
            CliProtocolException.LineTooLong(MaxLength);
        }

        line = default;
        return false;
    }

    private static bool EndsWithCr(ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty)
        {
            return false;
        }

        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == '\r';
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Gateway.RuntimeApi;

/// <summary>
/// Where a session's replies go: text encoded straight into the connection's <see cref="PipeWriter"/>, flushed every
/// <see cref="FlushThreshold"/> bytes so that a long listing streams out instead of being held whole. Every flush is
/// bounded by the session's timeout, so a client that stops reading is dropped instead of holding memory.
/// </summary>
internal sealed class CliOutput(PipeWriter writer, Func<CancellationToken> ioTimeout)
{
    public const int FlushThreshold = 64 * 1024;

    private long _unflushed;

    public void Write(string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        var written = Encoding.UTF8.GetBytes(text, span);
        Advance(written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes);
        _unflushed += bytes.Length;
    }

    /// <summary>One entry line of <c>show acl</c> / <c>show map</c>: <c>0x&lt;id&gt; &lt;key&gt;[ &lt;value&gt;]\n</c>.</summary>
    public void WriteEntry(long id, string key, string? value)
    {
        var max = 20 + ((key.Length + (value?.Length ?? 0)) * 3) + 2;
        var span = writer.GetSpan(max);
        span[0] = (byte)'0';
        span[1] = (byte)'x';
        var length = 2 + WriteHex(span[2..], (ulong)id);
        span[length++] = (byte)' ';
        length += Encode(key, span[length..]);
        if (value is not null)
        {
            span[length++] = (byte)' ';
            length += Encode(value, span[length..]);
        }

        span[length++] = (byte)'\n';
        Advance(length);
    }

    /// <summary>True once enough has piled up to send (long listings call <see cref="FlushAsync"/> then).</summary>
    public bool ShouldFlush => _unflushed >= FlushThreshold;

    /// <summary>Sends what is buffered once enough has piled up (long listings).</summary>
    public ValueTask MaybeFlushAsync() => ShouldFlush ? FlushAsync() : ValueTask.CompletedTask;

    public async ValueTask FlushAsync()
    {
        if (_unflushed == 0)
        {
            return;
        }

        _unflushed = 0;
        var result = await writer.FlushAsync(ioTimeout());
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException("The client stopped reading.");
        }
    }

    /// <summary>UTF-8, with the common all-ASCII case (every address pattern) done by a vectorised narrowing copy.</summary>
    private static int Encode(string text, Span<byte> destination) =>
        System.Text.Ascii.FromUtf16(text, destination, out var written) == System.Buffers.OperationStatus.Done
            ? written
            : Encoding.UTF8.GetBytes(text, destination);

    private static int WriteHex(Span<byte> destination, ulong value)
    {
        var digits = Math.Max(1, (67 - System.Numerics.BitOperations.LeadingZeroCount(value)) / 4);
        for (var i = digits - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }

        return digits;
    }

    private void Advance(int count)
    {
        writer.Advance(count);
        _unflushed += count;
    }
}

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
    public const int FlushThreshold = 32 * 1024;

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
        var max = 20 + Encoding.UTF8.GetMaxByteCount(key.Length) + (value is null ? 0 : 1 + Encoding.UTF8.GetMaxByteCount(value.Length)) + 1;
        var span = writer.GetSpan(max);
        span[0] = (byte)'0';
        span[1] = (byte)'x';
        id.TryFormat(span[2..], out var length, "x", System.Globalization.CultureInfo.InvariantCulture);
        length += 2;
        span[length++] = (byte)' ';
        length += Encoding.UTF8.GetBytes(key, span[length..]);
        if (value is not null)
        {
            span[length++] = (byte)' ';
            length += Encoding.UTF8.GetBytes(value, span[length..]);
        }

        span[length++] = (byte)'\n';
        Advance(length);
    }

    /// <summary>Sends what is buffered once enough has piled up (long listings).</summary>
    public ValueTask MaybeFlushAsync() => _unflushed >= FlushThreshold ? FlushAsync() : ValueTask.CompletedTask;

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

    private void Advance(int count)
    {
        writer.Advance(count);
        _unflushed += count;
    }
}

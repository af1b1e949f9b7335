using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Gateway.Observability;

/// <summary>
/// The writer thread's reusable byte buffer: whole lines are appended, then written out in batches. Text helpers
/// escape what a log line must not carry raw (spaces in unquoted fields, quotes, control bytes).
/// </summary>
internal sealed class AccessLogBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[16 * 1024];

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    public void Clear() => Length = 0;

    /// <summary>Drops the first <paramref name="count"/> bytes (already written out), keeping what follows.</summary>
    public void Consume(int count)
    {
        _buffer.AsSpan(count, Length - count).CopyTo(_buffer);
        Length -= count;
    }

    public AccessLogBuffer Ascii(string text)
    {
        var span = GetSpan(text.Length);
        Length += Encoding.ASCII.GetBytes(text, span);
        return this;
    }

    public AccessLogBuffer Byte(byte value)
    {
        GetSpan(1)[0] = value;
        Length++;
        return this;
    }

    public AccessLogBuffer Number(long value)
    {
        Utf8Formatter.TryFormat(value, GetSpan(20), out var written);
        Length += written;
        return this;
    }

    /// <summary>A field of a text line: '-' when empty; spaces, quotes, backslashes and control bytes as \xHH.</summary>
    public AccessLogBuffer Field(string? value) => string.IsNullOrEmpty(value) ? Byte((byte)'-') : Escaped(value, escapeSpace: true);

    /// <summary>Text inside quotes or braces: spaces kept, quotes, backslashes and control bytes escaped.</summary>
    public AccessLogBuffer Escaped(string value, bool escapeSpace)
    {
        // At most four bytes per UTF-16 unit: an escape (\xHH) or a UTF-8 sequence.
        var span = GetSpan((value.Length * 4) + 4);
        var at = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            var c = rune.Value;
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (escapeSpace && c == ' '))
            {
                span[at++] = (byte)'\\';
                span[at++] = (byte)'x';
                span[at++] = Hex(c >> 4);
                span[at++] = Hex(c & 0xf);
            }
            else
            {
                at += rune.EncodeToUtf8(span[at..]);
            }
        }

        Length += at;
        return this;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 256);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Access;

namespace Gateway.State.Embedded;

/// <summary>
/// One journal line: <c>&lt;crc32 hex&gt; &lt;json&gt;\n</c>, the JSON holding the sequence number and the change. Text, so an
/// operator can read it with <c>less</c>; checksummed, so a torn or damaged tail is recognised and cut off.
/// </summary>
internal sealed record JournalRecord(long Seq, AccessChange Change)
{
    internal static JsonSerializerOptions Json => StateJson.Options;

    /// <summary>Appends the record's line to <paramref name="output"/>, serializing through reused buffers.</summary>
    public void WriteTo(Stream output, JournalEncoder encoder)
    {
        var json = encoder.Serialize(this);
        Span<byte> prefix = stackalloc byte[9];
        Crc32.Compute(json).TryFormat(prefix, out _, "x8", CultureInfo.InvariantCulture);
        prefix[8] = (byte)' ';
        output.Write(prefix);
        output.Write(json);
        output.WriteByte((byte)'\n');
    }

    /// <summary>Reads one line (without its newline); null when it is damaged.</summary>
    public static JournalRecord? Decode(ReadOnlySpan<byte> line)
    {
        if (line.Length < 10 || line[8] != (byte)' ' ||
            !uint.TryParse(Encoding.ASCII.GetString(line[..8]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var crc))
        {
            return null;
        }

        var json = line[9..];
        if (Crc32.Compute(json) != crc)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<JournalRecord>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads every good record of a journal. Returns where the good part ends: a torn or damaged record and
    /// everything after it are beyond that point.
    /// </summary>
    public static (List<JournalRecord> Records, long GoodLength, bool Damaged) ReadAll(byte[] content)
    {
        var records = new List<JournalRecord>();
        var position = 0;
        while (position < content.Length)
        {
            var end = Array.IndexOf(content, (byte)'\n', position);
            if (end < 0)
            {
                return (records, position, true);
            }

            var record = Decode(content.AsSpan(position, end - position));
            if (record is null)
            {
                return (records, position, true);
            }

            records.Add(record);
            position = end + 1;
        }

        return (records, position, false);
    }
}

/// <summary>The writer loop's reusable JSON buffer and writer, so a record costs no allocation of its own.</summary>
internal sealed class JournalEncoder : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    public JournalEncoder() => _writer = new Utf8JsonWriter(_buffer);

    public ReadOnlySpan<byte> Serialize(JournalRecord record)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, record, JournalRecord.Json);
        _writer.Flush();
        return _buffer.WrittenSpan;
    }

    public void Dispose() => _writer.Dispose();
}

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

    public byte[] Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        var line = new byte[9 + json.Length + 1];
        Encoding.ASCII.GetBytes(Crc32.Compute(json).ToString("x8", CultureInfo.InvariantCulture), line);
        line[8] = (byte)' ';
        json.CopyTo(line, 9);
        line[^1] = (byte)'\n';
        return line;
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

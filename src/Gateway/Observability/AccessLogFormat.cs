using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Observability;

/// <summary>
/// Formats entries as lines, on the writer's thread. Text follows HAProxy's <c>httplog</c> (and <c>tcplog</c>) layout:
/// <code>
/// client peer:port [date] listener route cluster/destination Tq/Tw/Tc/Tr/Tt status bytes_out bytes_in decision reason error tls sni {host} "method target protocol"
/// client peer:port [date] listener route cluster/destination Tw/Tc/Tt bytes_out bytes_in decision reason termination tls sni
/// </code>
/// (the second for TCP connections, where Tw is all the time before connecting), with '-' for what is absent and -1
/// for timers never reached. JSON carries the same fields by name, one object per line.
/// </summary>
internal sealed class AccessLogFormatter
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private IReadOnlyList<string> _redacted = ["kat"];
    private Utf8JsonWriter? _json;

    /// <summary>Formats one line; <paramref name="redacted"/> names the query parameters whose values are cut.</summary>
    public void Format(AccessLogEntry entry, AccessLogFormat format, IReadOnlyList<string> redacted, AccessLogBuffer buffer)
    {
        _redacted = redacted;
        if (format == AccessLogFormat.Json)
        {
            Json(entry, buffer);
        }
        else
        {
            Text(entry, buffer);
        }

        buffer.Byte((byte)'\n');
    }

    private void Text(AccessLogEntry entry, AccessLogBuffer buffer)
    {
        var t = entry.Timings();
        Address(buffer, entry.ClientAddress).Byte((byte)' ');
        Peer(buffer, entry).Ascii(" [");
        Date(buffer, entry.StartedAt).Ascii("] ");
        buffer.Field(entry.Listener).Byte((byte)' ').Field(entry.Route).Byte((byte)' ')
            .Field(entry.Cluster).Byte((byte)'/').Field(entry.Destination).Byte((byte)' ');
        if (entry.Kind == AccessLogKind.Tcp)
        {
            Timer(buffer, t.Waited).Byte((byte)'/');
            Timer(buffer, t.Connect).Byte((byte)'/');
            Timer(buffer, t.Total).Byte((byte)' ');
        }
        else
        {
            Timer(buffer, t.Request).Byte((byte)'/');
            Timer(buffer, t.Queue).Byte((byte)'/');
            Timer(buffer, t.Connect).Byte((byte)'/');
            Timer(buffer, t.Response).Byte((byte)'/');
            Timer(buffer, t.Total).Byte((byte)' ');
            buffer.Number(entry.Status).Byte((byte)' ');
        }

        buffer.Number(entry.BytesOut).Byte((byte)' ').Number(entry.BytesIn).Byte((byte)' ')
            .Field(entry.Decision).Byte((byte)' ').Field(entry.Reason).Byte((byte)' ')
            .Field(entry.Kind == AccessLogKind.Tcp ? entry.Termination : entry.Error).Byte((byte)' ')
            .Field(entry.TlsVersion).Byte((byte)' ').Field(entry.Sni);
        if (entry.Kind == AccessLogKind.Http)
        {
            buffer.Ascii(" {").Escaped(entry.Host ?? string.Empty, escapeSpace: false).Ascii("} \"")
                .Escaped(entry.Method ?? "-", escapeSpace: false).Byte((byte)' ')
                .Escaped(Target(entry), escapeSpace: true).Byte((byte)' ')
                .Escaped(entry.Protocol ?? "-", escapeSpace: false).Byte((byte)'"');
        }
    }

    private void Json(AccessLogEntry entry, AccessLogBuffer buffer)
    {
        var json = _json ??= new Utf8JsonWriter(buffer, JsonOptions);
        json.Reset(buffer);
        var t = entry.Timings();
        Span<byte> scratch = stackalloc byte[64];
        json.WriteStartObject();
        json.WriteString("time", entry.StartedAt);
        json.WriteString("type", entry.Kind == AccessLogKind.Tcp ? "tcp" : "http");
        json.WriteString("listener", entry.Listener);
        WriteAddress(json, "client_ip", entry.ClientAddress, scratch);
        json.WriteString("peer", scratch[..PeerBytes(entry, scratch)]);
        if (entry.Kind == AccessLogKind.Http)
        {
            json.WriteString("method", entry.Method);
            json.WriteString("host", entry.Host);
            json.WriteString("uri", Target(entry));
            json.WriteString("protocol", entry.Protocol);
        }

        json.WriteString("route", entry.Route);
        json.WriteString("cluster", entry.Cluster);
        json.WriteString("destination", entry.Destination);
        json.WriteString("decision", entry.Decision);
        json.WriteString("reason", entry.Reason);
        json.WriteString("policy", entry.Policy);
        json.WriteString("list", entry.AccessList);
        if (entry.Kind == AccessLogKind.Http)
        {
            json.WriteNumber("status", entry.Status);
        }

        json.WriteNumber("bytes_in", entry.BytesIn);
        json.WriteNumber("bytes_out", entry.BytesOut);
        if (entry.Kind == AccessLogKind.Tcp)
        {
            json.WriteNumber("tw_ms", AccessLogTimings.FractionalMilliseconds(t.Waited));
            json.WriteNumber("tc_ms", AccessLogTimings.FractionalMilliseconds(t.Connect));
            json.WriteNumber("tt_ms", AccessLogTimings.FractionalMilliseconds(t.Total));
            json.WriteString("termination", entry.Termination);
        }
        else
        {
            json.WriteNumber("tq_ms", AccessLogTimings.FractionalMilliseconds(t.Request));
            json.WriteNumber("tw_ms", AccessLogTimings.FractionalMilliseconds(t.Queue));
            json.WriteNumber("tc_ms", AccessLogTimings.FractionalMilliseconds(t.Connect));
            json.WriteNumber("tr_ms", AccessLogTimings.FractionalMilliseconds(t.Response));
            json.WriteNumber("tt_ms", AccessLogTimings.FractionalMilliseconds(t.Total));
            json.WriteString("error", entry.Error);
        }

        json.WriteString("tls_version", entry.TlsVersion);
        json.WriteString("sni", entry.Sni);
        json.WriteEndObject();
        json.Flush();
    }

    private string Target(AccessLogEntry entry) =>
        entry.Target is null ? "-" : QueryRedaction.Redact(entry.Target, _redacted);

    private static AccessLogBuffer Timer(AccessLogBuffer buffer, long ticks) => buffer.Number(AccessLogTimings.Milliseconds(ticks));

    private static AccessLogBuffer Address(AccessLogBuffer buffer, IPAddress? address)
    {
        if (address is null || !address.TryFormat(buffer.GetSpan(64), out var written))
        {
            return buffer.Byte((byte)'-');
        }

        buffer.Advance(written);
        return buffer;
    }

    private static AccessLogBuffer Peer(AccessLogBuffer buffer, AccessLogEntry entry)
    {
        var span = buffer.GetSpan(72);
        buffer.Advance(PeerBytes(entry, span));
        return buffer;
    }

    // "203.0.113.7:51234" or "[2001:db8::1]:51234" into span; returns the length.
    private static int PeerBytes(AccessLogEntry entry, Span<byte> span)
    {
        if (entry.PeerAddress is not { } address)
        {
            span[0] = (byte)'-';
            return 1;
        }

        var at = 0;
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (v6)
        {
            span[at++] = (byte)'[';
        }

        address.TryFormat(span[at..], out var written);
        at += written;
        if (v6)
        {
            span[at++] = (byte)']';
        }

        span[at++] = (byte)':';
        entry.PeerPort.TryFormat(span[at..], out written, default, CultureInfo.InvariantCulture);
        return at + written;
    }

    private static void WriteAddress(Utf8JsonWriter json, string name, IPAddress? address, Span<byte> scratch)
    {
        if (address is not null && address.TryFormat(scratch, out var written))
        {
            json.WriteString(name, scratch[..written]);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // HAProxy's accept date, in UTC: 06/Feb/2026:12:14:14.655
    private static AccessLogBuffer Date(AccessLogBuffer buffer, DateTime at)
    {
        Two(buffer, at.Day).Byte((byte)'/').Ascii(Months[at.Month - 1]).Byte((byte)'/').Number(at.Year).Byte((byte)':');
        Two(buffer, at.Hour).Byte((byte)':');
        Two(buffer, at.Minute).Byte((byte)':');
        Two(buffer, at.Second).Byte((byte)'.');
        var ms = at.Millisecond;
        return buffer.Byte((byte)('0' + (ms / 100))).Byte((byte)('0' + (ms / 10 % 10))).Byte((byte)('0' + (ms % 10)));
    }

    private static AccessLogBuffer Two(AccessLogBuffer buffer, int value) =>
        buffer.Byte((byte)('0' + (value / 10))).Byte((byte)('0' + (value % 10)));
}

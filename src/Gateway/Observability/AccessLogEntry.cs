using System.Diagnostics;
using System.Net;

namespace Gateway.Observability;

internal enum AccessLogKind
{
    Http,
    Tcp,
}

/// <summary>
/// One request (or TCP connection) as the access log and the request metrics see it. Filled in while the request
/// runs, by the access-log middleware and the forwarder's timing hooks, then handed to <see cref="AccessLogWriter"/>;
/// after that nothing changes it. Strings are kept raw here and escaped or redacted only when the line is formatted,
/// off the request path. The TCP capability fills one in per connection the same way and calls the writer.
/// </summary>
internal sealed class AccessLogEntry
{
    private static readonly AsyncLocal<AccessLogEntry?> CurrentEntry = new();

    public AccessLogEntry(AccessLogKind kind)
    {
        Kind = kind;
        StartedAt = DateTime.UtcNow;
        StartTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>The entry of the request running on this async flow, for the forwarder's timing hooks.</summary>
    public static AccessLogEntry? Current
    {
        get => CurrentEntry.Value;
        set => CurrentEntry.Value = value;
    }

    public AccessLogKind Kind { get; }

    /// <summary>When the request (or connection) was accepted, UTC.</summary>
    public DateTime StartedAt { get; }

    public long StartTimestamp { get; }

    public string? Listener { get; set; }

    public IPAddress? PeerAddress { get; set; }

    public int PeerPort { get; set; }

    /// <summary>The client as the access policy sees it (after PROXY protocol or trusted forwarding headers).</summary>
    public IPAddress? ClientAddress { get; set; }

    public string? Method { get; set; }

    public string? Host { get; set; }

    /// <summary>The request target as sent (path and query); the KAT's value is cut out when formatted.</summary>
    public string? Target { get; set; }

    public string? Protocol { get; set; }

    public string? Route { get; set; }

    public string? Cluster { get; set; }

    public string? Destination { get; set; }

    /// <summary><c>allow</c> or <c>deny</c>: the route's access policy's decision.</summary>
    public string? Decision { get; set; }

    /// <summary>Why: <c>allowed</c>, <c>no-policy</c>, <c>ip-not-listed</c>, <c>no-session</c>, <c>kat-expired</c>...</summary>
    public string? Reason { get; set; }

    /// <summary>The route's policy: <c>none</c>, <c>ip</c>, <c>kat</c>, <c>ip+kat</c>.</summary>
    public string? Policy { get; set; }

    /// <summary>The access list the policy checks against.</summary>
    public string? AccessList { get; set; }

    public int Status { get; set; }

    public long BytesIn { get; set; }

    public long BytesOut { get; set; }

    /// <summary>Why the exchange ended early: YARP's ForwarderError name, <c>ClientAborted</c>, or null.</summary>
    public string? Error { get; set; }

    /// <summary>TCP: how the connection ended (<c>client-closed</c>, <c>idle-timeout</c>, <c>no-route</c>...).</summary>
    public string? Termination { get; set; }

    public string? TlsVersion { get; set; }

    public string? Sni { get; set; }

    /// <summary>The forwarder started sending to the destination.</summary>
    public long ForwardTimestamp { get; set; }

    /// <summary>The request got a connection to the destination (its first byte was written on one).</summary>
    public long ConnectionTimestamp { get; set; }

    /// <summary>Time spent opening the connection this request was the first to use; 0 for a pooled connection.</summary>
    public long ConnectTicks { get; set; }

    /// <summary>The destination's response headers arrived.</summary>
    public long HeadersTimestamp { get; set; }

    public long EndTimestamp { get; set; }

    /// <summary>Set once the entry is handed to the writer; timing hooks leave it alone from then on.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>TCP: the gateway starts opening the connection to the destination.</summary>
    public void MarkConnecting() => ForwardTimestamp = Stopwatch.GetTimestamp();

    /// <summary>TCP: the destination accepted the connection.</summary>
    public void MarkConnected()
    {
        ConnectionTimestamp = Stopwatch.GetTimestamp();
        ConnectTicks = ConnectionTimestamp - ForwardTimestamp;
    }

    /// <summary>
    /// The request or connection is over; hand the entry to <see cref="GatewayMetrics.RequestCompleted"/> and
    /// <see cref="AccessLogWriter.Write"/> next, and touch it no more.
    /// </summary>
    public void Complete()
    {
        EndTimestamp = Stopwatch.GetTimestamp();
        IsComplete = true;
    }

    /// <summary>HAProxy's timers in <see cref="Stopwatch"/> ticks; -1 for a phase never reached, as HAProxy prints.</summary>
    public AccessLogTimings Timings()
    {
        var total = EndTimestamp - StartTimestamp;
        if (ForwardTimestamp == 0)
        {
            return new AccessLogTimings(-1, -1, -1, -1, total);
        }

        var request = ForwardTimestamp - StartTimestamp;
        if (ConnectionTimestamp == 0)
        {
            // Headers without a seen connection: an HTTP/2 destination, whose writes run on the connection's own loop.
            return HeadersTimestamp == 0
                ? new AccessLogTimings(request, -1, -1, -1, total)
                : new AccessLogTimings(request, 0, 0, HeadersTimestamp - ForwardTimestamp, total);
        }

        var connect = ConnectTicks;
        var queue = Math.Max(0, ConnectionTimestamp - ForwardTimestamp - connect);
        var response = HeadersTimestamp == 0 ? -1 : HeadersTimestamp - ConnectionTimestamp;
        return new AccessLogTimings(request, queue, connect, response, total);
    }
}

/// <summary>
/// HAProxy's Tq/Tw/Tc/Tr/Tt in <see cref="Stopwatch"/> ticks: the gateway's own time before forwarding (routing, access
/// policy), waiting for a connection slot, opening the connection, the destination's time to response headers, and
/// the total. -1 marks a phase that was never reached.
/// </summary>
internal readonly record struct AccessLogTimings(long Request, long Queue, long Connect, long Response, long Total)
{
    /// <summary>TCP's Tw: everything before the connection to the destination was opened (peek, PROXY header, policy).</summary>
    public long Waited => Request < 0 ? -1 : Request + Math.Max(0, Queue);

    public static long Milliseconds(long ticks) => ticks < 0 ? -1 : ticks * 1000 / Stopwatch.Frequency;

    public static double FractionalMilliseconds(long ticks) => ticks < 0 ? -1 : Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3);

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}

using System.Net;
using Gateway.Access;
using Gateway.Observability;
using Gateway.Tcp.ProxyProtocol;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp;

/// <summary>What became of a connection at layer 4.</summary>
internal enum TcpDecision
{
    /// <summary>Still being decided.</summary>
    Pending,

    /// <summary>Forwarded to its route's cluster.</summary>
    Forwarded,

    /// <summary>Refused by the route's IP policy and forwarded to the fallback cluster.</summary>
    Fallback,

    /// <summary>Handed on to local TLS termination and the HTTP pipeline.</summary>
    Terminated,

    /// <summary>Not TLS on an https listener, served as plain HTTP.</summary>
    PlainHttp,

    /// <summary>Closed without forwarding: see <see cref="TcpConnectionInfo.Reason"/>.</summary>
    Closed,
}

/// <summary>
/// Every fact about one connection handled at layer 4, in one place, for the log line and the access-log line written
/// when it ends: listener, peer and client, PROXY header, SNI, route, cluster, destination, decision, bytes and
/// timings. Set as a connection feature by the first step that handles the connection; each direction of a tunnel
/// counts its own bytes.
/// </summary>
internal sealed class TcpConnectionInfo
{
    private long _fromClient;
    private long _toClient;

    public TcpConnectionInfo(string listener, string connectionId, IPEndPoint? peer, IPEndPoint? local, DateTimeOffset startedAt, long startTimestamp)
    {
        Listener = listener;
        ConnectionId = connectionId;
        Peer = peer;
        Local = local;
        Client = peer;
        Target = local;
        StartedAt = startedAt;
        StartTimestamp = startTimestamp;
    }

    public string Listener { get; }

    public string ConnectionId { get; }

    /// <summary>The socket's other end.</summary>
    public IPEndPoint? Peer { get; }

    /// <summary>The gateway's own end of the socket.</summary>
    public IPEndPoint? Local { get; }

    /// <summary>The client: the peer, or the source a PROXY header named.</summary>
    public IPEndPoint? Client { get; set; }

    /// <summary>The address the client connected to: the local end, or the destination a PROXY header named.</summary>
    public IPEndPoint? Target { get; set; }

    /// <summary>The PROXY header the connection started with, if any.</summary>
    public ProxyHeader? ProxyHeader { get; set; }

    /// <summary>True when the connection started with a TLS ClientHello.</summary>
    public bool Tls { get; set; }

    /// <summary>The ClientHello's server name.</summary>
    public string? Sni { get; set; }

    public string? Route { get; set; }

    public string? Cluster { get; set; }

    /// <summary>The destination's name in its cluster.</summary>
    public string? Destination { get; set; }

    public EndPoint? DestinationAddress { get; set; }

    public TcpDecision Decision { get; set; }

    /// <summary>The route's access decision (<see cref="AccessDecision.NoPolicy"/> for an open route); null before a route.</summary>
    public AccessDecision? Access { get; set; }

    /// <summary>Why it was closed or sent to the fallback: <c>ip-not-listed</c>, <c>no-route</c>, <c>no-destination</c>...</summary>
    public string? Reason { get; set; }

    /// <summary>How the tunnel ended: <c>client-closed</c>, <c>destination-closed</c>, <c>idle-timeout</c>, <c>shutdown</c>...</summary>
    public string? Termination { get; set; }

    public DateTimeOffset StartedAt { get; }

    public long StartTimestamp { get; }

    /// <summary>Time from accept to the destination's connect (the PROXY header sent).</summary>
    public TimeSpan? ConnectedAfter { get; set; }

    public TimeSpan? Duration { get; set; }

    /// <summary>
    /// How the connection ended, for the access log's termination field: for a tunnel, who closed it or why it was cut
    /// (<c>client-closed</c>, <c>destination-closed</c>, <c>idle-timeout</c>, <c>client-reset</c>,
    /// <c>destination-reset</c>, <c>shutdown</c>); for a connection closed without being forwarded, why
    /// (<c>no-route</c>, <c>not-tls</c>, <c>connect-failed</c>, <c>proxy-invalid</c>...), or <c>closed</c> when the
    /// access decision already says why.
    /// </summary>
    public string Outcome => Decision switch
    {
        TcpDecision.Closed when Access is { Allowed: false } && Reason == Access.Reason.Name() => "closed",
        TcpDecision.Closed => Reason ?? "closed",
        _ => Termination ?? "-",
    };

    /// <summary>The connection's access-log entry, started at accept; the connector marks its connect phase.</summary>
    public AccessLogEntry Entry { get; } = new(AccessLogKind.Tcp);

    public long BytesFromClient => Volatile.Read(ref _fromClient);

    public long BytesToClient => Volatile.Read(ref _toClient);

    public void AddFromClient(long count) => Volatile.Write(ref _fromClient, _fromClient + count);

    public void AddToClient(long count) => Volatile.Write(ref _toClient, _toClient + count);

    /// <summary>The connection's info, created on first use.</summary>
    public static TcpConnectionInfo Of(ConnectionContext connection, string listener, TimeProvider time)
    {
        if (connection.Features.Get<TcpConnectionInfo>() is { } info)
        {
            return info;
        }

        info = new TcpConnectionInfo(
            listener, connection.ConnectionId, Normalize(connection.RemoteEndPoint as IPEndPoint), Normalize(connection.LocalEndPoint as IPEndPoint),
            time.GetUtcNow(), time.GetTimestamp());
        connection.Features.Set(info);
        return info;
    }

    private static IPEndPoint? Normalize(IPEndPoint? endPoint) =>
        endPoint is { Address.IsIPv4MappedToIPv6: true } ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}

using System.Net;
using Gateway.Access;
using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tcp.ProxyProtocol;

/// <summary>
/// HAProxy's <c>accept-proxy</c>: the first thing on every connection of the listener is a PROXY protocol header (v1
/// or v2), accepted only from a peer inside <c>Gateway:Access:TrustedProxies</c>. The header is consumed, and the
/// client it names becomes the connection's client for both layers: the <see cref="ClientAddressFeature"/> (so the
/// HTTP access policy and <c>X-Forwarded-For</c> see it), the connection's endpoints, and the TCP routes' IP policy.
/// An untrusted peer, a missing or malformed header, or none within <c>Gateway:Tcp:InspectDelay</c>: refused.
/// </summary>
internal sealed partial class ProxyProtocolMiddleware(
    ConnectionDelegate next, ListenerDefinition listener, GatewayConfigManager config, TcpConnectionLog connections, TimeProvider time,
    ILogger<ProxyProtocolMiddleware> logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var current = config.Current;
        var info = TcpConnectionInfo.Of(connection, listener.Name, time);
        var peer = info.Peer?.Address ?? IPAddress.IPv6None;
        if (!ClientIpResolver.IsTrusted(peer, current.Access))
        {
            Log.Untrusted(logger, listener.Name, peer.ToString());
            connections.Closed(info, "proxy-untrusted");
            return;
        }

        var (status, header) = await ReadAsync(connection, current.Tcp.InspectDelay);
        if (status != ProxyHeaderStatus.Valid)
        {
            Log.Refused(logger, listener.Name, peer.ToString(), Describe(status));
            connections.Closed(info, status == ProxyHeaderStatus.Incomplete ? "proxy-missing" : "proxy-invalid");
            return;
        }

        info.ProxyHeader = header;
        if (header!.HasAddresses)
        {
            info.Client = header.Source;
            info.Target = header.Destination;
            connection.RemoteEndPoint = header.Source;
            connection.LocalEndPoint = header.Destination;
            connection.Features.Set(ClientAddressFeature.Direct(header.Source!.Address));
        }

        Log.Accepted(logger, listener.Name, peer.ToString(), header.Version, info.Client?.ToString() ?? "(the proxy itself)");
        await next(connection);
    }

    private static async Task<(ProxyHeaderStatus Status, ProxyHeader? Header)> ReadAsync(ConnectionContext connection, TimeSpan timeout)
    {
        var input = connection.Transport.Input;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                var status = ProxyHeaderParser.TryParse(buffer, out var header, out var length);
                if (status == ProxyHeaderStatus.Incomplete && !result.IsCompleted && !result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                // The header is consumed; whatever follows it is the client's own bytes.
                input.AdvanceTo(status == ProxyHeaderStatus.Valid ? buffer.GetPosition(length) : buffer.Start);
                return (status, header);
            }
        }
        catch (OperationCanceledException)
        {
            return (ProxyHeaderStatus.Incomplete, null);
        }
    }

    private static string Describe(ProxyHeaderStatus status) => status switch
    {
        ProxyHeaderStatus.NotProxy => "the connection did not start with a PROXY header",
        ProxyHeaderStatus.Invalid => "the PROXY header is malformed",
        _ => "no complete PROXY header arrived in time",
    };

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.ProxyProtocolUntrusted, LogLevel.Warning,
            "Refused a connection on listener {Listener} from {Peer}: PROXY protocol headers are accepted only from Gateway:Access:TrustedProxies.")]
        public static partial void Untrusted(ILogger logger, string listener, string peer);

        [LoggerMessage(Observability.EventIds.ProxyProtocolRefused, LogLevel.Warning, "Refused a connection on listener {Listener} from {Peer}: {Problem}.")]
        public static partial void Refused(ILogger logger, string listener, string peer, string problem);

        [LoggerMessage(Observability.EventIds.ProxyProtocolAccepted, LogLevel.Debug, "PROXY v{Version} header on listener {Listener} from {Peer}: client {Client}.")]
        public static partial void Accepted(ILogger logger, string listener, string peer, int version, string client);
    }
}

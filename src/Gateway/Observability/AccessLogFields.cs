using System.Security.Authentication;
using Gateway.Access;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tcp;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Observability;

/// <summary>
/// The one place where the access log and the request metrics read facts that other capabilities own: the listener,
/// the client IP, the access decision, the route, cluster and destination YARP chose, and the TLS handshake. When a
/// capability starts recording a fact on the request, it is wired in here and nowhere else.
/// </summary>
internal static class AccessLogFields
{
    /// <summary>
    /// Query parameters whose values never reach a log line: the KAT, under its configured name and the default
    /// <c>kat</c>. Compared without regard to case, as ASP.NET Core's query collection does.
    /// </summary>
    public static IReadOnlyList<string> RedactedQueryParameters(GatewayConfig config) =>
        string.Equals(config.Access.TokenQueryParameter, "kat", StringComparison.OrdinalIgnoreCase)
            ? DefaultRedacted
            : ["kat", config.Access.TokenQueryParameter];

    private static readonly string[] DefaultRedacted = ["kat"];

    /// <summary>What is known when the request arrives, before anything in the pipeline runs.</summary>
    public static void OnRequestStarted(HttpContext context, ListenerDefinition listener, AccessLogEntry entry)
    {
        var connection = context.Connection;
        var request = context.Request;
        entry.Listener = listener.Name;
        entry.PeerAddress = connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.RemoteIpAddress;
        entry.PeerPort = connection.RemotePort;
        entry.Method = request.Method;
        entry.Host = request.Host.Value;
        entry.Target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value;
        entry.Protocol = request.Protocol;
        OnTls(context.Features.Get<ITlsHandshakeFeature>(), entry);
    }

    /// <summary>What the pipeline decided, read once the response is done.</summary>
    public static void OnRequestCompleted(HttpContext context, AccessLogEntry entry)
    {
        // The client as Access resolved it (the socket peer, or the address a trusted proxy forwarded for).
        entry.ClientAddress = context.Features.Get<ClientAddressFeature>()?.Client ?? entry.ClientAddress ?? entry.PeerAddress;

        // The route's access decision; absent ('-') for requests no route matched and for management traffic.
        if (context.Features.Get<AccessDecision>() is { } decision)
        {
            entry.Decision = decision.Allowed ? "allow" : "deny";
            entry.Reason = decision.Reason.Name();
            entry.Policy = decision.PolicyName;
            entry.AccessList = decision.List;
        }

        if (context.Features.Get<IReverseProxyFeature>() is { } proxy)
        {
            entry.Route = proxy.Route.Config.RouteId;
            entry.Cluster = proxy.Cluster?.Config.ClusterId;
            entry.Destination = proxy.ProxiedDestination?.DestinationId;
        }

        entry.Status = context.Response.StatusCode;
        if (context.Features.Get<IForwarderErrorFeature>() is { Error: not ForwarderError.None } error)
        {
            entry.Error = error.Error.ToString();
        }
        else if (context.RequestAborted.IsCancellationRequested)
        {
            entry.Error = "ClientAborted";
        }
    }

    /// <summary>
    /// A connection handled at layer 4 (passthrough, plain TCP, closed by the IP policy or before a route), from the
    /// facts its <see cref="TcpConnectionInfo"/> collected, once it has ended. The TLS version stays '-': a passed
    /// through handshake is the destination's, never seen by the gateway; the SNI is the ClientHello's.
    /// </summary>
    public static void OnTcpConnectionEnded(TcpConnectionInfo info, AccessLogEntry entry)
    {
        entry.Listener = info.Listener;
        entry.PeerAddress = info.Peer?.Address;
        entry.PeerPort = info.Peer?.Port ?? 0;
        entry.ClientAddress = info.Client?.Address ?? info.Peer?.Address;
        entry.Route = info.Route;
        entry.Cluster = info.Cluster;
        entry.Destination = info.Destination;
        if (info.Access is { } decision)
        {
            entry.Decision = decision.Allowed ? "allow" : "deny";
            entry.Reason = decision.Reason.Name();
            entry.Policy = decision.PolicyName;
            entry.AccessList = decision.List;
        }

        entry.BytesIn = info.BytesFromClient;
        entry.BytesOut = info.BytesToClient;
        entry.Termination = info.Outcome;
        entry.Sni = info.Sni;
    }

    /// <summary>TLS version and SNI from a terminated handshake; both stay '-' on cleartext listeners.</summary>
    public static void OnTls(ITlsHandshakeFeature? tls, AccessLogEntry entry)
    {
        if (tls is null)
        {
            return;
        }

#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 are named so that a log shows them if they are ever allowed.
        entry.TlsVersion = tls.Protocol switch
        {
            SslProtocols.Tls13 => "TLSv1.3",
            SslProtocols.Tls12 => "TLSv1.2",
            SslProtocols.Tls11 => "TLSv1.1",
            SslProtocols.Tls => "TLSv1",
            SslProtocols.None => null,
            var other => other.ToString(),
        };
#pragma warning restore SYSLIB0039
        entry.Sni = string.IsNullOrEmpty(tls.HostName) ? null : tls.HostName;
    }
}

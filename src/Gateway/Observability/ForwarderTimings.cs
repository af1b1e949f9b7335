using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Gateway.Observability;

/// <summary>
/// Hooks on each cluster's HttpClient that time the trip to the destination for HAProxy's Tw, Tc and Tr: when the
/// forwarder starts sending and when response headers arrive (a delegating handler), how long a new connection took to
/// open (the connect callback up to the plaintext stream, TLS included), and when a request first writes on a
/// connection (a thin stream wrapper). Writes are attributed through <see cref="AccessLogEntry.Current"/>, which flows
/// with the request; HTTP/1.1 writes run on the request's flow, HTTP/2 writes on the connection's own loop, so for
/// HTTP/2 destinations Tw and Tc read 0 and their time shows in Tr. The handler also reports System.Net.Http's
/// metrics to the host's meter factory, so <c>/metrics</c> shows the destinations' side.
/// </summary>
internal static class ForwarderTimings
{
    public static HttpMessageHandler Instrument(HttpMessageHandler handler, IMeterFactory meterFactory)
    {
        if (handler is SocketsHttpHandler sockets)
        {
            sockets.MeterFactory = meterFactory;
            TimeConnections(sockets);
        }

        return new TimingHandler(handler);
    }

    private static void TimeConnections(SocketsHttpHandler handler)
    {
        // The connect and plaintext-filter callbacks of one connection attempt share the request that started it.
        var started = new ConditionalWeakTable<HttpRequestMessage, StrongBox<long>>();
        var connect = handler.ConnectCallback ?? DefaultConnectAsync;
        handler.ConnectCallback = async (context, cancellation) =>
        {
            var start = Stopwatch.GetTimestamp();
            var stream = await connect(context, cancellation).ConfigureAwait(false);
            started.AddOrUpdate(context.InitialRequestMessage, new StrongBox<long>(start));
            return stream;
        };

        var filter = handler.PlaintextStreamFilter;
        handler.PlaintextStreamFilter = async (context, cancellation) =>
        {
            var stream = filter is null ? context.PlaintextStream : await filter(context, cancellation).ConfigureAwait(false);
            var request = context.InitialRequestMessage;
            var connectTicks = started.TryGetValue(request, out var start) ? Stopwatch.GetTimestamp() - start.Value : 0;
            started.Remove(request);
            return new ConnectionTimingStream(stream, connectTicks);
        };
    }

    private static async ValueTask<Stream> DefaultConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellation).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Marks when the forwarder starts sending and when the response headers are back.</summary>
    private sealed class TimingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Active health probes share the client; they run outside any request and are not timed.
            var entry = AccessLogEntry.Current;
            return entry is null ? base.SendAsync(request, cancellationToken) : TimedSendAsync(entry, request, cancellationToken);
        }

        private async Task<HttpResponseMessage> TimedSendAsync(AccessLogEntry entry, HttpRequestMessage request, CancellationToken cancellationToken)
        {
            entry.ForwardTimestamp = Stopwatch.GetTimestamp();
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            entry.HeadersTimestamp = Stopwatch.GetTimestamp();
            return response;
        }
    }
}

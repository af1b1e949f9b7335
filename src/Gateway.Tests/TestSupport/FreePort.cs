using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// Free TCP ports on loopback, for servers that must be told their port before they start. They are taken below the
/// kernel's ephemeral range (<c>ip_local_port_range</c>), so that between being handed out and being bound they cannot
/// be taken by a listener on port 0 or as the source port of an outgoing connection, which the tests make by the
/// thousand. Within this process they are handed out in turn from a random start, so two callers never get the same
/// port until the whole range has gone round (random draws did collide: a gateway got its own listener's port as its
/// management port).
/// </summary>
public static class FreePort
{
    private static readonly (int Low, int High) Range = StableRange();
    private static int _cursor = Random.Shared.Next(0, Range.High - Range.Low);

    public static int Get()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Range.Low + (int)((uint)Interlocked.Increment(ref _cursor) % (uint)(Range.High - Range.Low));
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // In use: draw again.
            }
        }

        using var any = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        any.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)any.LocalEndPoint!).Port;
    }

    /// <summary>Up to 12,000 ports just below the ephemeral range (Linux default 32768-60999: 20768-32767).</summary>
    private static (int Low, int High) StableRange()
    {
        var ephemeralLow = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            ephemeralLow = int.Parse(text[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        var high = Math.Max(ephemeralLow, 2048);
        return (Math.Max(1025, high - 12000), high);
    }
}

using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.TestSupport;

/// <summary>Free TCP ports on loopback, for servers that must be told their port before they start.</summary>
public static class FreePort
{
    public static int Get()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

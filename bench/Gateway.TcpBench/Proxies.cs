using System.Net;
using System.Net.Sockets;

namespace Gateway.TcpBench;

/// <summary>
/// The two proxies, set up alike: one listener that peeks the ClientHello and routes by SNI to the stream server or
/// the one-byte server. HAProxy as the widely copied <c>mode tcp</c> frontend; Gateway as an https listener with TCP
/// routes (what it does not pass through it would terminate).
/// </summary>
internal static class Proxies
{
    public const string StreamName = "stream.kube.example.com";
    public const string ConnectionName = "conn.kube.example.com";

    public static async Task<ChildProcess> HaproxyAsync(string directory, int port, int stream, int connection, CancellationToken cancellation)
    {
        var path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, $$"""
            global
              maxconn 8000
            defaults
              mode tcp
              timeout connect 5s
              timeout client 60s
              timeout server 60s
            frontend sni
              bind 127.0.0.1:{{port}}
              tcp-request inspect-delay 5s
              tcp-request content accept if { req_ssl_hello_type 1 }
              use_backend stream if { req_ssl_sni -i {{StreamName}} }
              use_backend conn if { req_ssl_sni -i {{ConnectionName}} }
            backend stream
              server s 127.0.0.1:{{stream}}
            backend conn
              server c 127.0.0.1:{{connection}}

            """, cancellation);
        return await ChildProcess.StartAsync("haproxy", ["-db", "-f", path], directory, port, cancellation);
    }

    public static async Task<ChildProcess> GatewayAsync(string directory, string gatewayDll, int port, int stream, int connection, CancellationToken cancellation)
    {
        var path = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(path, $$"""
            {
              "Logging": { "LogLevel": { "Default": "Warning" } },
              "Gateway": {
                "StateDirectory": "{{Path.Combine(directory, "state")}}",
                "Management": { "Address": "127.0.0.1", "Port": {{FreePort()}} },
                "Listeners": { "https": { "Address": "127.0.0.1", "Port": {{port}}, "Protocol": "https" } },
                "Tls": { "SelfSigned": { "Enabled": true } },
                "Tcp": {
                  "Routes": {
                    "stream": { "Listeners": [ "https" ], "Sni": [ "{{StreamName}}" ], "Cluster": "stream" },
                    "conn": { "Listeners": [ "https" ], "Sni": [ "{{ConnectionName}}" ], "Cluster": "conn" }
                  },
                  "Clusters": {
                    "stream": { "Destinations": { "s": { "Address": "127.0.0.1:{{stream}}" } } },
                    "conn": { "Destinations": { "c": { "Address": "127.0.0.1:{{connection}}" } } }
                  }
                }
              }
            }
            """, cancellation);
        return await ChildProcess.StartAsync("dotnet", [gatewayDll, "--config", path], directory, port, cancellation);
    }

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

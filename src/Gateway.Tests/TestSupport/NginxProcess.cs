namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real nginx (Debian's) in the foreground with the <c>http { }</c> block the test writes, its pid, logs and
/// temporary files in a folder of its own, on loopback ports the test picks. Killed on dispose.
/// </summary>
public static class NginxProcess
{
    /// <summary>Starts nginx with <paramref name="http"/> as its http block and waits until <paramref name="port"/> accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(string http, int port)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-nginx-").FullName;
        var root = Environment.UserName == "root" ? "user root root;\n" : string.Empty;
        var config = $$"""
            {{root}}worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log stderr notice;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/client_body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
            {{http}}
            }
            """;
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var program = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        return await ServerProcess.StartAsync("nginx", program, ["-p", directory, "-c", path, "-e", "stderr"], directory, port);
    }
}

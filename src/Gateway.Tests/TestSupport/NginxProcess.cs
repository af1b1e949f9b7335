using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real nginx (Debian's) in the foreground with the <c>http { }</c> block the test writes, its pid, logs and
/// temporary files in a folder of its own, on loopback ports the test picks. Killed on dispose.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NginxProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts nginx with <paramref name="http"/> as its http block and waits until <paramref name="port"/> accepts connections.</summary>
    public static async Task<NginxProcess> StartAsync(string http, int port)
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
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "-p", directory, "-c", path, "-e", "stderr" })
        {
            start.ArgumentList.Add(arg);
        }

        var nginx = new NginxProcess(Process.Start(start) ?? throw new InvalidOperationException("nginx did not start; is the Debian package installed?"), directory);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (nginx._process.HasExited)
                {
                    throw new InvalidOperationException("nginx exited: " + nginx.Output);
                }

                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, "nginx listening on " + port);
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

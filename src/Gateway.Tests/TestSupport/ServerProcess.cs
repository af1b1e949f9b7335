using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real server program (HAProxy, nginx) run in the foreground from a folder of its own: its output is kept for
/// assertion messages, it counts as started once its port accepts connections (or fails at once if it exits), and
/// on dispose it is killed and the folder removed.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, string directory)
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

    /// <summary>Starts <paramref name="program"/> in <paramref name="directory"/> and waits until <paramref name="port"/> on loopback accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(string name, string program, IEnumerable<string> arguments, string directory, int port)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start; is the Debian package installed?"), directory);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (server._process.HasExited)
                {
                    throw new InvalidOperationException($"{name} exited: " + server.Output);
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
            }, $"{name} listening on {port}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
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

using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real HAProxy (Debian's haproxy) in the foreground with a config the test writes, on loopback ports the test
/// picks. Killed on dispose.
/// </summary>
public sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HaproxyProcess(Process process, string directory)
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

    /// <summary>Starts HAProxy with <paramref name="config"/> and waits until <paramref name="waitForPort"/> accepts connections.</summary>
    public static async Task<HaproxyProcess> StartAsync(string config, int waitForPort)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gateway-haproxy-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config.EndsWith('\n') ? config : config + "\n");
        var start = new ProcessStartInfo("haproxy")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "-db", "-f", path })
        {
            start.ArgumentList.Add(arg);
        }

        var haproxy = new HaproxyProcess(Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start"), directory);
        await Eventually.TrueAsync(async () =>
        {
            if (haproxy._process.HasExited)
            {
                throw new InvalidOperationException("haproxy exited: " + haproxy.Output);
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, waitForPort);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, "haproxy listening on " + waitForPort);
        return haproxy;
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
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

using System.Diagnostics;
using System.Net;
using Gateway.Tests.RuntimeApi;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real HAProxy (Debian's haproxy 2.6) on loopback, configured with RuntimeApi/Transcripts/haproxy.cfg: the peer the
/// runtime API is compared with. Started in the foreground as a child process (so it is killed with the test run),
/// shared by the tests of the "HAProxy" collection; <see cref="RestartAsync"/> gives a test a fresh state.
/// </summary>
public sealed class HaproxyFixture : IAsyncLifetime
{
    private Process? _process;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "gateway-haproxy-" + Guid.NewGuid().ToString("N")[..10]);

    public string SocketPath => Path.Combine(Directory, "haproxy.sock");

    public string UserSocketPath => Path.Combine(Directory, "user.sock");

    public string OperatorSocketPath => Path.Combine(Directory, "operator.sock");

    public int TcpPort { get; private set; }

    public EndPoint Unix => new System.Net.Sockets.UnixDomainSocketEndPoint(SocketPath);

    public EndPoint Tcp => new IPEndPoint(IPAddress.Loopback, TcpPort);

    public Task InitializeAsync() => RestartAsync();

    /// <summary>Stops HAProxy (if running) and starts a new one from the configuration: every list, map and server as configured.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var file in new[] { "office", "knoc" })
        {
            File.Copy(Path.Combine(Transcripts.Folder, file), Path.Combine(Directory, file), overwrite: true);
        }

        TcpPort = FreePort.Get();
        var config = (await File.ReadAllTextAsync(Path.Combine(Transcripts.Folder, "haproxy.cfg")))
            .Replace("@DIR@", Directory, StringComparison.Ordinal)
            .Replace("@TCP@", TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@HTTP@", FreePort.Get().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@WEB1@", Transcripts.Web1Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@WEB2@", Transcripts.Web2Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(Directory, "haproxy.cfg"), config);
        File.Delete(SocketPath);

        var start = new ProcessStartInfo("haproxy") { WorkingDirectory = Directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-db", "-f", "haproxy.cfg" })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start; is it installed (scripts/test installs it)?");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.TrueAsync(() => File.Exists(SocketPath) || _process.HasExited, "HAProxy's stats socket");
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}; see {Path.Combine(Directory, "haproxy.cfg")}.");
        }

        await Eventually.TrueAsync(async () => (await CliClient.SendAsync(Tcp, "show version\n"u8.ToArray())).Length > 0, "HAProxy's TCP stats socket");
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HaproxyCollection : ICollectionFixture<HaproxyFixture>
{
    public const string Name = "HAProxy";
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Tests.TestSupport;

/// <summary>The gateway as a separate OS process (dotnet Gateway.dll), for exit codes, signals and the environment.</summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_errors, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

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

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static GatewayProcess Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        StartDll(RepositoryPaths.GatewayDll, workingDirectory, environment, args);

    /// <summary>Starts a given build of the gateway (a published one, say) as <c>dotnet &lt;dll&gt; args</c>.</summary>
    public static GatewayProcess StartDll(string dll, string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Console logs without colour codes, so tests can read them.
        start.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new GatewayProcess(Process.Start(start)!);
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public Task WaitForOutputAsync(string text, TimeSpan? within = null) =>
        Eventually.TrueAsync(() => Output.Contains(text, StringComparison.Ordinal) || HasExited, $"'{text}' in the output", within ?? TimeSpan.FromSeconds(60));

    /// <summary>Sends SIGTERM, as `docker stop`, Kubernetes and systemd do.</summary>
    public void Terminate() => _ = Kill(_process.Id, 15);

    /// <summary>Sends SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillHardAsync()
    {
        _ = Kill(_process.Id, 9);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}

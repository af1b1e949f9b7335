using System.Diagnostics;
using Npgsql;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's postgresql binaries): initdb in a temporary folder, run as the unprivileged
/// postgres user when the tests run as root, listening on a free loopback port. Stop and start it again to test a
/// database restart; disposed with everything it wrote.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private bool _running;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "gateway-pg-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = FreePort.Get();

    private string DataDirectory => Path.Combine(Directory, "data");

    private static string BinDirectory => System.IO.Directory.GetDirectories("/usr/lib/postgresql")
        .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
        .Select(d => Path.Combine(d, "bin"))
        .First(d => File.Exists(Path.Combine(d, "initdb")));

    private static bool IsRoot => Environment.UserName == "root";

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=gateway;Database={database};Timeout=3;Command Timeout=10;Pooling=true";

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (IsRoot)
        {
            await RunAsync("chown", "-R", "postgres:postgres", Directory);
        }

        await RunAsPostgresAsync(Path.Combine(BinDirectory, "initdb"), "-D", DataDirectory, "-U", "gateway", "--auth=trust", "-E", "UTF8", "--no-sync");
        await StartAsync();
    }

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        // pg_ctl starts the postmaster in the background and returns once it accepts connections; no process of ours
        // stays its parent (a runuser wrapper would, and killing it would orphan the server).
        var options = $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200";
        await RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-l", Path.Combine(Directory, "postgres.log"), "-o", options, "-w", "-t", "30", "start");
        _running = true;
    }

    /// <summary>Stops the server the way a crash would: immediately, cutting every connection.</summary>
    public async Task StopAsync()
    {
        if (_running)
        {
            await RunAsPostgresAsync(Path.Combine(BinDirectory, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            _running = false;
        }

        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A new, empty database for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "gw_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
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

    private static ProcessStartInfo PostgresStartInfo(string program, params string[] args)
    {
        var start = IsRoot ? new ProcessStartInfo("runuser") : new ProcessStartInfo(program);
        if (IsRoot)
        {
            foreach (var arg in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.UseShellExecute = false;
        return start;
    }

    private static Task RunAsPostgresAsync(string program, params string[] args) => RunAsync(PostgresStartInfo(program, args));

    private static Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return RunAsync(start);
    }

    private static async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed: {await output}{await errors}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

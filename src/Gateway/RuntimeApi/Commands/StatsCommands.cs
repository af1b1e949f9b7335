using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Gateway.Configuration;
using Gateway.Routing;
using Yarp.ReverseProxy;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// <c>show info</c> and <c>show stat</c> in HAProxy's formats, with Gateway's own name, version and process figures;
/// traffic counters Gateway does not keep read 0. The typed and JSON variants are not offered: modifiers are ignored.
/// </summary>
internal sealed class StatsCommands(
    GatewayConfigManager config, DestinationAdminStates admin, IProxyStateLookup proxy, IHostApplicationLifetime lifetime, TimeProvider time) : ICliCommandFamily
{
    private static readonly string Version =
        typeof(StatsCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly string ReleaseDate =
        File.GetLastWriteTimeUtc(typeof(StatsCommands).Assembly.Location).ToString("yyyy/MM/dd", CultureInfo.InvariantCulture);

    private readonly DateTimeOffset _started = time.GetUtcNow();

    public IEnumerable<CliCommand> Commands =>
    [
        new("show info", "show info [desc|json|typed|float]*      : report information about the running process", CliLevel.User, ShowInfo),
        new("show stat", "show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server", CliLevel.User, ShowStat),
        new("show version", "show version                            : show version of the current process", CliLevel.User, ShowVersion),
    ];

    private ValueTask ShowVersion(CliContext context, CliArgs args)
    {
        context.Reply(Version + "\n");
        return ValueTask.CompletedTask;
    }

    private ValueTask ShowInfo(CliContext context, CliArgs args)
    {
        var uptime = time.GetUtcNow() - _started;
        var memory = GC.GetTotalMemory(forceFullCollection: false);
        var process = Environment.ProcessId;
        var startedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var values = new (string Key, string Value)[]
        {
            ("Name", "Gateway"), ("Version", Version), ("Release_date", ReleaseDate), ("Nbthread", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ("Nbproc", "1"), ("Process_num", "1"), ("Pid", process.ToString(CultureInfo.InvariantCulture)),
            ("Uptime", string.Create(CultureInfo.InvariantCulture, $"{(int)uptime.TotalDays}d {uptime.Hours}h{uptime.Minutes:00}m{uptime.Seconds:00}s")),
            ("Uptime_sec", ((long)uptime.TotalSeconds).ToString(CultureInfo.InvariantCulture)), ("Memmax_MB", "0"),
            ("PoolAlloc_MB", (memory >> 20).ToString(CultureInfo.InvariantCulture)), ("PoolUsed_MB", (memory >> 20).ToString(CultureInfo.InvariantCulture)),
        };
        var text = new StringBuilder();
        foreach (var (key, value) in values)
        {
            text.Append(key).Append(": ").Append(value).Append('\n');
        }

        foreach (var key in ZeroInfoFields)
        {
            text.Append(key).Append(": 0\n");
        }

        text.Append("node: ").Append(Environment.MachineName).Append('\n')
            .Append("Stopping: ").Append(lifetime.ApplicationStopping.IsCancellationRequested ? '1' : '0').Append('\n')
            .Append("Jobs: 0\nUnstoppable Jobs: 0\n")
            .Append("Listeners: ").Append(config.Current.AllListeners.Count()).Append('\n')
            .Append("ActivePeers: 0\nConnectedPeers: 0\nDroppedLogs: 0\nBusyPolling: 0\nFailedResolutions: 0\nTotalBytesOut: 0\n")
            .Append("TotalSplicdedBytesOut: 0\nBytesOutRate: 0\nDebugCommandsIssued: 0\nCumRecvLogs: 0\n")
            .Append("Build info: ").Append(Version).Append('\n')
            .Append("Memmax_bytes: 0\n")
            .Append("PoolAlloc_bytes: ").Append(memory).Append('\n')
            .Append("PoolUsed_bytes: ").Append(memory).Append('\n')
            .Append("Start_time_sec: ").Append(new DateTimeOffset(startedAt).ToUnixTimeSeconds()).Append('\n')
            .Append("Tainted: 0\n");
        context.Reply(text.ToString());
        return ValueTask.CompletedTask;
    }

    /// <summary>HAProxy's info fields between PoolUsed_MB and node that Gateway has no figure for.</summary>
    private static readonly string[] ZeroInfoFields =
    [
        "PoolFailed", "Ulimit-n", "Maxsock", "Maxconn", "Hard_maxconn", "CurrConns", "CumConns", "CumReq", "MaxSslConns", "CurrSslConns",
        "CumSslConns", "Maxpipes", "PipesUsed", "PipesFree", "ConnRate", "ConnRateLimit", "MaxConnRate", "SessRate", "SessRateLimit", "MaxSessRate",
        "SslRate", "SslRateLimit", "MaxSslRate", "SslFrontendKeyRate", "SslFrontendMaxKeyRate", "SslFrontendSessionReuse_pct", "SslBackendKeyRate",
        "SslBackendMaxKeyRate", "SslCacheLookups", "SslCacheMisses", "CompressBpsIn", "CompressBpsOut", "CompressBpsRateLim", "Tasks", "Run_queue",
        "Idle_pct",
    ];

    private ValueTask ShowStat(CliContext context, CliArgs args)
    {
        var view = new ProxyView(config.Current);
        var now = time.GetUtcNow();
        var text = new StringBuilder(StatsCsv.Header);
        for (var f = 0; f < view.Frontends.Count; f++)
        {
            StatsCsv.AppendRow(text, StatsCsv.FrontendColumns, new Dictionary<string, string>
            {
                ["pxname"] = view.Frontends[f].Name, ["svname"] = "FRONTEND", ["status"] = "OPEN", ["pid"] = "1",
                ["iid"] = Number(view.FrontendId(f)), ["mode"] = "http", ["-"] = "-",
            });
        }

        for (var b = 0; b < view.Backends.Count; b++)
        {
            AppendBackend(text, view.Backends[b], view.BackendId(b), now);
        }

        context.Reply(text.ToString());
        return ValueTask.CompletedTask;
    }

    private void AppendBackend(StringBuilder text, ClusterDefinition cluster, int id, DateTimeOffset now)
    {
        var available = 0;
        var concurrent = 0;
        for (var s = 0; s < cluster.Destinations.Length; s++)
        {
            var destination = cluster.Destinations[s];
            var status = ServerStatus.Of(cluster, destination, proxy, admin);
            available += status.IsAvailable ? 1 : 0;
            concurrent += status.Concurrent;
            var values = new Dictionary<string, string>
            {
                ["pxname"] = cluster.Id, ["svname"] = destination.Name, ["scur"] = Number(status.Concurrent), ["status"] = ServerStatusText(cluster, status),
                ["weight"] = "1", ["act"] = "1", ["lastchg"] = Number((long)(now - (status.AdminChangedAt ?? _started)).TotalSeconds), ["pid"] = "1",
                ["iid"] = Number(id), ["sid"] = Number(s + 1), ["type"] = "2", ["lastsess"] = "-1", ["addr"] = destination.Address.Authority,
                ["mode"] = "http", ["uweight"] = "1", ["-"] = "-",
            };
            var columns = StatsCsv.ServerColumns.AsEnumerable();
            if (cluster.ActiveHealthCheck is { } check)
            {
                var (checkStatus, _, health) = ServerCommands.CheckFields(cluster, status);
                values["check_status"] = checkStatus switch { 15 => "L7OK", 17 => "L7STS", _ => "INI" };
                values["check_desc"] = checkStatus switch { 15 => "Layer7 check passed", 17 => "Layer7 wrong status", _ => "Initializing" };
                values["check_rise"] = "2";
                values["check_fall"] = Number(check.Fall);
                values["check_health"] = Number(health);
                columns = columns.Concat(StatsCsv.CheckColumns);
            }

            StatsCsv.AppendRow(text, columns, values);
        }

        StatsCsv.AppendRow(text, StatsCsv.BackendColumns, new Dictionary<string, string>
        {
            ["pxname"] = cluster.Id, ["svname"] = "BACKEND", ["scur"] = Number(concurrent), ["status"] = available > 0 ? "UP" : "DOWN",
            ["weight"] = Number(available), ["act"] = Number(available), ["lastchg"] = Number((long)(now - _started).TotalSeconds), ["pid"] = "1",
            ["iid"] = Number(id), ["type"] = "1", ["lastsess"] = "-1", ["mode"] = "http", ["algo"] = Algorithm(cluster.LoadBalancingPolicy),
            ["uweight"] = Number(available), ["-"] = "-",
        });
    }

    private static string ServerStatusText(ClusterDefinition cluster, ServerStatus status) => status switch
    {
        { Admin: AdminState.Maint } => "MAINT",
        { Admin: AdminState.Drain } => "DRAIN",
        { IsDown: true } => "DOWN",
        _ when cluster.ActiveHealthCheck is null => "no check",
        _ => "UP",
    };

    /// <summary>YARP's policy names back to HAProxy's <c>balance</c> words.</summary>
    private static string Algorithm(string policy) => policy switch
    {
        "LeastRequests" => "leastconn",
        "Random" or "PowerOfTwoChoices" => "random",
        "FirstAlphabetical" => "first",
        _ => "roundrobin",
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

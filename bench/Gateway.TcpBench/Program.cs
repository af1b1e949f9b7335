using System.Globalization;
using System.Text;
using Gateway.TcpBench;

// SNI passthrough, Gateway beside HAProxy "mode tcp": one long stream's MB/s, and new connections per second, each
// through a listener that peeks the ClientHello and routes by SNI. Run with bench/tcp; every process it starts is
// killed when it ends, whatever the way.
var options = BenchOptions.Parse(args);
using var deadline = new CancellationTokenSource(options.Limit);
var directory = Directory.CreateTempSubdirectory("gateway-tcpbench-").FullName;
var culture = CultureInfo.InvariantCulture;
var load = LoadAverage();
try
{
    await using var stream = new SourceServer(options.StreamBytes);
    await using var oneByte = new SourceServer(1);
    var streamHello = await Load.ClientHelloAsync(Proxies.StreamName);
    var connectionHello = await Load.ClientHelloAsync(Proxies.ConnectionName);
    var haproxyPort = Proxies.FreePort();
    var gatewayPort = Proxies.FreePort();
    await using var haproxy = await Proxies.HaproxyAsync(directory, haproxyPort, stream.Port, oneByte.Port, deadline.Token);
    await using var gateway = await Proxies.GatewayAsync(directory, options.GatewayDll, gatewayPort, stream.Port, oneByte.Port, deadline.Token);
    var targets = new (string Name, int Port)[] { ("HAProxy", haproxyPort), ("Gateway", gatewayPort) };

    // Warm up both (JIT, pools, caches), then alternate so neither always runs on a hotter or cooler machine.
    foreach (var (_, port) in targets)
    {
        await Load.ConnectionsAsync(port, connectionHello, options.Workers, TimeSpan.FromSeconds(1), deadline.Token);
        await Load.StreamAsync(port, streamHello, options.StreamBytes, deadline.Token);
    }

    var throughput = targets.ToDictionary(t => t.Name, _ => new List<double>());
    var rates = targets.ToDictionary(t => t.Name, _ => new List<double>());
    long failures = 0;
    for (var round = 0; round < options.Rounds; round++)
    {
        foreach (var (name, port) in round % 2 == 0 ? targets : targets.Reverse())
        {
            throughput[name].Add(await Load.StreamAsync(port, streamHello, options.StreamBytes, deadline.Token));
            var (rate, failed) = await Load.ConnectionsAsync(port, connectionHello, options.Workers, options.Duration, deadline.Token);
            rates[name].Add(rate);
            failures += failed;
            Console.WriteLine(string.Create(culture, $"round {round + 1} {name}: {throughput[name][^1]:F0} MB/s, {rate:F0} connections/s"));
        }
    }

    var report = Report(options, throughput, rates, failures, load);
    Console.WriteLine();
    Console.WriteLine(report);
    if (options.Output is { } output)
    {
        await File.WriteAllTextAsync(output, report);
    }

    return failures == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static string Report(BenchOptions options, Dictionary<string, List<double>> throughput, Dictionary<string, List<double>> rates, long failures, string loadBefore)
{
    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    var culture = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    text.AppendLine("# SNI passthrough: Gateway beside HAProxy `mode tcp`");
    text.AppendLine();
    text.AppendLine(string.Create(culture, $"{Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}; medians of {options.Rounds} rounds; one {options.StreamBytes / (1 << 20)} MiB stream per round; {options.Workers} workers opening connections for {options.Duration.TotalSeconds:F0} s per round. Client, proxies and servers share the machine."));
    text.AppendLine();
    text.AppendLine(string.Create(culture, $"Load average (1, 5, 15 min) before: {loadBefore}; after: {LoadAverage()}."));
    text.AppendLine();
    text.AppendLine("| proxy | throughput (MB/s) | new connections/s | rounds (MB/s; connections/s) |");
    text.AppendLine("| --- | ---: | ---: | --- |");
    foreach (var name in throughput.Keys)
    {
        var rounds = string.Join(", ", throughput[name].Select(v => v.ToString("F0", culture))) + "; " + string.Join(", ", rates[name].Select(v => v.ToString("F0", culture)));
        text.AppendLine(string.Create(culture, $"| {name} | {Median(throughput[name]):F0} | {Median(rates[name]):F0} | {rounds} |"));
    }

    text.AppendLine(string.Create(culture, $"| **Gateway / HAProxy** | **{Median(throughput["Gateway"]) / Median(throughput["HAProxy"]):F2}** | **{Median(rates["Gateway"]) / Median(rates["HAProxy"]):F2}** | |"));
    if (failures > 0)
    {
        text.AppendLine();
        text.AppendLine(string.Create(culture, $"{failures} connection(s) failed."));
    }

    return text.ToString();
}

internal sealed record BenchOptions(string GatewayDll, long StreamBytes, int Workers, TimeSpan Duration, int Rounds, TimeSpan Limit, string? Output)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var culture = CultureInfo.InvariantCulture;
        return new BenchOptions(
            Path.GetFullPath(Value("--gateway") ?? throw new ArgumentException("--gateway <path to Gateway.dll> is required")),
            long.Parse(Value("--stream-mib") ?? "2048", culture) << 20,
            int.Parse(Value("--workers") ?? "16", culture),
            TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? "5", culture)),
            int.Parse(Value("--rounds") ?? "3", culture),
            TimeSpan.FromSeconds(double.Parse(Value("--limit") ?? "600", culture)),
            Value("--out"));
    }
}

using System.Net.Sockets;
using Gateway.Tcp.ProxyProtocol;

namespace Gateway.Tcp.Clusters;

/// <summary>
/// HAProxy's <c>check</c> in <c>mode tcp</c>: every destination of a cluster with <c>HealthCheck</c> is probed with a
/// TCP connect every <c>Interval</c> (with a PROXY <c>LOCAL</c> header first when the cluster sends the PROXY
/// protocol); <c>Fall</c> failures in a row take it out, <c>Rise</c> successes put it back. Follows reloads.
/// </summary>
internal sealed partial class TcpHealthChecks(TcpClusterRegistry registry, TimeProvider time, ILogger<TcpHealthChecks> logger) : IHostedService, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TcpDestinationState, Probe> _probes = [];
    private bool _stopped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.Changed += Refresh;
        Refresh();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        registry.Changed -= Refresh;
        List<Probe> probes;
        lock (_lock)
        {
            _stopped = true;
            probes = [.. _probes.Values];
            _probes.Clear();
        }

        foreach (var probe in probes)
        {
            await probe.StopAsync();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var probe in _probes.Values)
            {
                probe.Cancellation.Cancel();
                probe.Cancellation.Dispose();
            }

            _probes.Clear();
        }
    }

    /// <summary>Starts a probe loop per checked destination, stops the ones no longer wanted.</summary>
    private void Refresh()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var wanted = registry.All
                .Where(c => c.Definition.HealthCheck is not null)
                .SelectMany(c => c.Destinations.Select(d => (Destination: d, Cluster: c.Definition)))
                .ToDictionary(p => p.Destination, p => p.Cluster);
            foreach (var (destination, probe) in _probes.ToList())
            {
                if (!wanted.TryGetValue(destination, out var cluster) || cluster.HealthCheck != probe.Cluster.HealthCheck || cluster.SendProxy != probe.Cluster.SendProxy)
                {
                    _probes.Remove(destination);
                    _ = probe.StopAsync();
                }
            }

            foreach (var (destination, cluster) in wanted)
            {
                if (!_probes.ContainsKey(destination))
                {
                    var cancellation = new CancellationTokenSource();
                    var task = RunAsync(destination, cluster, cancellation.Token);
                    _probes[destination] = new Probe(cluster, cancellation, task);
                }
            }
        }
    }

    private async Task RunAsync(TcpDestinationState destination, TcpClusterDefinition cluster, CancellationToken stopping)
    {
        var check = cluster.HealthCheck!;
        using var timer = new PeriodicTimer(check.Interval, time);
        try
        {
            do
            {
                var problem = await ProbeAsync(destination.Definition, cluster, check.Timeout, stopping);
                if (destination.ReportProbe(problem is null, check))
                {
                    if (destination.Healthy)
                    {
                        Log.Up(logger, cluster.Id, destination.Definition.Name, destination.Definition.Display, check.Rise);
                    }
                    else
                    {
                        Log.Down(logger, cluster.Id, destination.Definition.Name, destination.Definition.Display, check.Fall, problem!);
                    }
                }
                else if (problem is not null)
                {
                    Log.ProbeFailed(logger, cluster.Id, destination.Definition.Name, destination.Definition.Display, problem);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Null when the destination accepted a connection in time, else what went wrong.</summary>
    private async Task<string?> ProbeAsync(TcpDestinationDefinition destination, TcpClusterDefinition cluster, TimeSpan timeout, CancellationToken stopping)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timer = new CancellationTokenSource(timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token);
        try
        {
            await socket.ConnectAsync(destination.EndPoint, deadline.Token);
            if (cluster.SendProxy != ProxyVersion.None)
            {
                await socket.SendAsync(ProxyHeaderWriter.Write(cluster.SendProxy, null, null, default), SocketFlags.None, deadline.Token);
            }
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return $"no connection within {Configuration.Duration.Format(timeout)}";
        }

        // Connected: that is the whole check. The destination may already have closed its side.
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        return null;
    }

    private sealed record Probe(TcpClusterDefinition Cluster, CancellationTokenSource Cancellation, Task Task)
    {
        public async Task StopAsync()
        {
            await Cancellation.CancelAsync();
            await Task;
            Cancellation.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.TcpDestinationDown, LogLevel.Warning,
            "TCP destination {Cluster}/{Destination} ({Address}) is down after {Fall} failed checks in a row: {Problem}.")]
        public static partial void Down(ILogger logger, string cluster, string destination, string address, int fall, string problem);

        [LoggerMessage(Observability.EventIds.TcpDestinationUp, LogLevel.Information,
            "TCP destination {Cluster}/{Destination} ({Address}) is up again after {Rise} successful checks in a row.")]
        public static partial void Up(ILogger logger, string cluster, string destination, string address, int rise);

        [LoggerMessage(Observability.EventIds.TcpHealthCheckFailed, LogLevel.Debug, "TCP check of {Cluster}/{Destination} ({Address}) failed: {Problem}.")]
        public static partial void ProbeFailed(ILogger logger, string cluster, string destination, string address, string problem);
    }
}

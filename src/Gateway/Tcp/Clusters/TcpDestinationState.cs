namespace Gateway.Tcp.Clusters;

/// <summary>
/// The live state of one destination: its open connections (for leastconn and the connection limit) and its health.
/// Kept across configuration reloads while the destination's definition stays the same.
/// </summary>
internal sealed class TcpDestinationState(TcpDestinationDefinition definition)
{
    private int _active;
    private volatile bool _healthy = true;
    private int _failures;
    private int _successes;

    public TcpDestinationDefinition Definition { get; } = definition;

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>False once health checks took it out; destinations start healthy, as HAProxy's do.</summary>
    public bool Healthy => _healthy;

    /// <summary>Counts a connection in, unless that would pass <paramref name="limit"/>.</summary>
    public bool TryAcquire(int? limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _active);
            if (limit is { } max && current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _active, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release() => Interlocked.Decrement(ref _active);

    /// <summary>
    /// Records a health probe (one checker per destination calls this). Returns true when the destination changed
    /// state: taken out after <c>Fall</c> failures in a row, put back after <c>Rise</c> successes in a row.
    /// </summary>
    public bool ReportProbe(bool succeeded, TcpHealthCheck check)
    {
        if (succeeded)
        {
            _failures = 0;
            if (!_healthy && ++_successes >= check.Rise)
            {
                _successes = 0;
                _healthy = true;
                return true;
            }

            return false;
        }

        _successes = 0;
        if (_healthy && ++_failures >= check.Fall)
        {
            _failures = 0;
            _healthy = false;
            return true;
        }

        return false;
    }
}

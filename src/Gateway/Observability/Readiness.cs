namespace Gateway.Observability;

/// <summary>
/// Whether the gateway should receive traffic: the configuration is loaded (it is, or the process would not run),
/// every listener is bound (the server has started), and the process is neither shutting down nor asked to drain
/// (<c>POST /drain</c>, as a Kubernetes preStop hook does through <c>gateway drain</c>).
/// </summary>
internal sealed class Readiness(IHostApplicationLifetime lifetime, IEnumerable<IReadinessCheck> checks)
{
    private volatile bool _draining;
    private volatile bool _stopping;

    /// <summary>Answer not-ready from now on, while still serving; the process stops when it is told to.</summary>
    public void BeginDrain() => _draining = true;

    /// <summary>The host is stopping: not-ready for good, even before the host signals ApplicationStopping.</summary>
    public void BeginShutdown() => _stopping = true;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var stopping = _stopping || lifetime.ApplicationStopping.IsCancellationRequested;
        if (_draining && !stopping)
        {
            problems.Add("draining");
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            problems.Add("listeners are not all bound yet");
        }

        if (stopping)
        {
            problems.Add("shutting down");
        }

        foreach (var check in checks)
        {
            if (check.Problem is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }
}

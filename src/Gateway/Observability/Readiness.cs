namespace Gateway.Observability;

/// <summary>
/// Whether the gateway should receive traffic: the configuration is loaded (it is, or the process would not run),
/// every listener is bound (the server has started), and the process is not shutting down.
/// </summary>
internal sealed class Readiness(IHostApplicationLifetime lifetime, IEnumerable<IReadinessCheck> checks)
{
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            problems.Add("listeners are not all bound yet");
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
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

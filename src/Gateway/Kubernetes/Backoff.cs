namespace Gateway.Kubernetes;

/// <summary>
/// Exponential backoff between API retries: from the initial wait, doubling up to the maximum, with up to 20%
/// jitter so that replicas restarted together do not hit the API server in step.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, TimeProvider time)
{
    private TimeSpan _next = TimeSpan.Zero;

    public TimeSpan Next()
    {
        var wait = _next == TimeSpan.Zero ? initial : _next;
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, wait.Ticks * 2));
        return wait + TimeSpan.FromTicks((long)(wait.Ticks * 0.2 * Random.Shared.NextDouble()));
    }

    public void Reset() => _next = TimeSpan.Zero;

    public Task DelayAsync(TimeSpan wait, CancellationToken cancellation) => Task.Delay(wait, time, cancellation);
}

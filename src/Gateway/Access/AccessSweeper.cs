namespace Gateway.Access;

/// <summary>
/// Removes what has expired (list entries, unredeemed tokens, sessions past their absolute or idle expiry) every few
/// seconds. Lookups already ignore expired items; sweeping only keeps memory and <c>show</c> output tidy, so it
/// needs no store round trip: expiry is part of the recorded data.
/// </summary>
internal sealed partial class AccessSweeper(AccessState state, TimeProvider time, ILogger<AccessSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    public int SweepOnce()
    {
        var now = time.GetUtcNow();
        var nowTicks = now.UtcTicks;
        var removed = 0;
        foreach (var list in state.Lists)
        {
            removed += list.RemoveWhere(e => !e.IsLiveAt(now));
        }

        foreach (var map in state.Maps)
        {
            removed += map.RemoveWhere(k => k.ExpiresAt <= now);
        }

        removed += state.Sessions.RemoveWhere(s => !s.IsLiveAt(nowTicks));
        if (removed > 0)
        {
            Log.Swept(logger, removed);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            SweepOnce();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AccessSwept, LogLevel.Debug, "Removed {Count} expired list entries, tokens and sessions.")]
        public static partial void Swept(ILogger logger, int count);
    }
}

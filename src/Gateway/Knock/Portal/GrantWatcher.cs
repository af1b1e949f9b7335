using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.State;

namespace Gateway.Knock;

/// <summary>
/// Ends a user's sessions on a list when their last grant on it ends without a revoke (it expired, or an operator
/// removed it): on a shared address another user's grant keeps the address listed, and without this the user's
/// session cookie would keep opening the application. Looks every few seconds at who holds live grants.
/// </summary>
internal sealed partial class GrantWatcher(AccessState state, AccessWriter writer, TimeProvider time, ILogger<GrantWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private HashSet<(string List, string User)> _holders = [];

    /// <summary>One look: revokes the sessions of users whose grants have all ended since the last look.</summary>
    public async Task<int> CheckOnceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await CheckAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var holders = new HashSet<(string, string)>();
        foreach (var list in state.Lists)
        {
            foreach (var entry in list.Entries)
            {
                if (entry.Owner is { } owner && entry.Source == EntrySource.Runtime && entry.IsLiveAt(now))
                {
                    holders.Add((list.Name, owner));
                }
            }
        }

        var ended = 0;
        foreach (var (list, user) in _holders.Where(h => !holders.Contains(h)).ToList())
        {
            try
            {
                var revoked = await writer.RevokeSessionsAsync(null, user, list, "portal:grant-ended", cancellationToken);
                Log.Ended(logger, user, list, revoked);
                ended++;
            }
            catch (StoreUnavailableException e)
            {
                // Kept as a holder so the next look tries again; the sessions must not outlive the grant for good.
                Log.NotEnded(logger, user, list, e.Message);
                holders.Add((list, user));
            }
        }

        _holders = holders;
        return ended;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckOnceAsync(stoppingToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.GrantEnded, LogLevel.Information, "The last grant of {User} on list {List} ended; {Sessions} session(s) of theirs revoked.")]
        public static partial void Ended(ILogger logger, string user, string list, int sessions);

        [LoggerMessage(Observability.EventIds.GrantEndNotRecorded, LogLevel.Warning, "The last grant of {User} on list {List} ended, but their sessions could not be revoked yet (will retry): {Reason}")]
        public static partial void NotEnded(ILogger logger, string user, string list, string reason);
    }
}

using System.Collections.Concurrent;

namespace Gateway.Knock;

/// <summary>
/// The e-mail and groups of users who signed in through the portal since the gateway started, so forward-auth can
/// tell the proxy more than a session's user name. Bounded: past the limit the oldest half is forgotten.
/// </summary>
internal sealed class KnownUsers
{
    private const int Limit = 10_000;
    private readonly ConcurrentDictionary<string, (PortalUser User, long Seen)> _users = new(StringComparer.Ordinal);
    private long _clock;

    public void Remember(PortalUser user)
    {
        _users[user.Name] = (user, Interlocked.Increment(ref _clock));
        if (_users.Count > Limit)
        {
            var cutoff = Volatile.Read(ref _clock) - (Limit / 2);
            foreach (var (name, entry) in _users)
            {
                if (entry.Seen < cutoff)
                {
                    _users.TryRemove(name, out _);
                }
            }
        }
    }

    public PortalUser? Find(string? name) => name is not null && _users.TryGetValue(name, out var entry) ? entry.User : null;
}

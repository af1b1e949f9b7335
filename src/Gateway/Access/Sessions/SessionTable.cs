using System.Collections.Concurrent;

namespace Gateway.Access.Sessions;

/// <summary>Every live session by id. Lookups never lock; a revoked session is simply gone.</summary>
internal sealed class SessionTable
{
    private readonly ConcurrentDictionary<SessionId, Session> _sessions = new();

    public int Count => _sessions.Count;

    public IEnumerable<Session> All => _sessions.Values;

    public bool TryGet(SessionId id, out Session session) => _sessions.TryGetValue(id, out session!);

    public void Add(Session session) => _sessions[session.Id] = session;

    public bool Remove(SessionId id) => _sessions.TryRemove(id, out _);

    /// <summary>Removes the sessions matching <paramref name="predicate"/>; returns how many.</summary>
    public int RemoveWhere(Func<Session, bool> predicate)
    {
        var removed = 0;
        foreach (var (id, session) in _sessions)
        {
            if (predicate(session) && _sessions.TryRemove(id, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    public void Clear() => _sessions.Clear();
}

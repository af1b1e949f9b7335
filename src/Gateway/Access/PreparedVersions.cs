namespace Gateway.Access;

/// <summary>
/// HAProxy's <c>prepare</c>/<c>commit</c> bookkeeping, shared by access lists and token maps: numbered versions built
/// aside, invisible until one is committed, which drops it and every older one. Not thread-safe: the owner calls it
/// under the lock that also guards swapping in the committed content.
/// </summary>
internal sealed class PreparedVersions<T>
{
    private readonly Dictionary<int, List<T>> _pending = [];

    /// <summary>The version <c>commit</c> last made current (0 until the first commit).</summary>
    public int Current { get; private set; }

    /// <summary>The version the last <c>prepare</c> created (HAProxy's <c>next_ver</c>).</summary>
    public int Next { get; private set; }

    /// <summary>Items waiting in prepared versions.</summary>
    public int PendingCount => _pending.Values.Sum(v => v.Count);

    /// <summary>Starts a new, empty version.</summary>
    public int Prepare()
    {
        var version = ++Next;
        _pending[version] = [];
        return version;
    }

    public bool TryAdd(int version, T item)
    {
        if (!_pending.TryGetValue(version, out var items))
        {
            return false;
        }

        items.Add(item);
        return true;
    }

    /// <summary>Empties a prepared version (<c>clear acl @N</c>); false when there is no such version.</summary>
    public bool TryClear(int version)
    {
        if (!_pending.TryGetValue(version, out var items))
        {
            return false;
        }

        items.Clear();
        return true;
    }

    /// <summary>A copy of what a prepared version holds so far.</summary>
    public bool TryGet(int version, out IReadOnlyList<T> items)
    {
        var found = _pending.TryGetValue(version, out var list);
        items = found ? [.. list!] : [];
        return found;
    }

    /// <summary>Records that <paramref name="version"/> became current (its content applied by a store); it and older ones go.</summary>
    public void MarkCommitted(int version)
    {
        Current = Math.Max(Current, version);
        foreach (var old in _pending.Keys.Where(v => v <= version).ToList())
        {
            _pending.Remove(old);
        }
    }
}

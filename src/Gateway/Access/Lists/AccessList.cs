using System.Collections.Immutable;

namespace Gateway.Access.Lists;

/// <summary>
/// A named allowlist with a numeric id (HAProxy's <c>acl ... src -u 500</c> makes it <c>#500</c>). Lookups go to the
/// <see cref="AddressTable"/> and never lock; writes are serialised here and keep the entries in insertion order,
/// duplicates included, for <c>show acl</c>. <c>prepare</c>/<c>commit</c> build a new version aside and swap it in
/// atomically.
/// </summary>
internal sealed class AccessList
{
    private readonly Lock _lock = new();
    private readonly PreparedVersions<ListEntry> _versions = new();
    private volatile Content _content = new();

    public AccessList(string name, int id, TimeSpan? defaultTtl)
    {
        Name = name;
        Id = id;
        DefaultTtl = defaultTtl;
    }

    public string Name { get; }

    /// <summary>The numeric id; it may change on a config reload (the list is kept by name).</summary>
    public int Id { get; set; }

    public TimeSpan? DefaultTtl { get; set; }

    /// <summary>The version <c>commit</c> last made current (0 until the first commit).</summary>
    public int CurrentVersion => Locked(v => v.Current);

    /// <summary>The version the last <c>prepare</c> created (HAProxy's <c>next_ver</c>).</summary>
    public int NextVersion => Locked(v => v.Next);

    /// <summary>Entries waiting in prepared versions, not yet visible.</summary>
    public int PendingCount => Locked(v => v.PendingCount);

    /// <summary>Entries in insertion order, as of now (an immutable snapshot; expired ones included until swept).</summary>
    public ImmutableList<ListEntry> Entries => _content.Entries;

    public int Count => _content.Entries.Count;

    public bool Contains(IpKey address, long nowTicks) => _content.Table.Contains(address, nowTicks);

    public void Add(ListEntry entry)
    {
        lock (_lock)
        {
            _content.Add(entry);
        }
    }

    /// <summary>Removes every entry whose pattern is byte-identical to <paramref name="pattern"/>; returns how many.</summary>
    public int RemovePattern(string pattern) => RemoveWhere(e => string.Equals(e.Pattern, pattern, StringComparison.Ordinal));

    public int RemoveEntry(long id) => RemoveWhere(e => e.Id == id);

    /// <summary>Removes entries that match <paramref name="predicate"/> (expired ones, a source...).</summary>
    public int RemoveWhere(Func<ListEntry, bool> predicate)
    {
        lock (_lock)
        {
            return _content.RemoveWhere(predicate);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _content = new Content();
        }
    }

    /// <summary>Starts a new, empty, invisible version (HAProxy's <c>prepare acl</c>).</summary>
    public int Prepare() => Locked(v => v.Prepare());

    public bool AddToVersion(int version, ListEntry entry) => Locked(v => v.TryAdd(version, entry));

    /// <summary>Empties a prepared version (HAProxy's <c>clear acl @N</c>); false when there is no such version.</summary>
    public bool ClearVersion(int version) => Locked(v => v.TryClear(version));

    /// <summary>The entries added to a prepared version so far.</summary>
    public bool TryGetVersion(int version, out IReadOnlyList<ListEntry> entries)
    {
        lock (_lock)
        {
            return _versions.TryGet(version, out entries);
        }
    }

    /// <summary>Records that <paramref name="version"/> became current (its content applied by a store); older ones go.</summary>
    public void MarkCommitted(int version) => Locked(v =>
    {
        v.MarkCommitted(version);
        return true;
    });

    /// <summary>Replaces the whole content (a store loading state, or a remote commit).</summary>
    public void Replace(IEnumerable<ListEntry> entries)
    {
        lock (_lock)
        {
            var content = new Content();
            foreach (var entry in entries)
            {
                content.Add(entry);
            }

            _content = content;
        }
    }

    private TResult Locked<TResult>(Func<PreparedVersions<ListEntry>, TResult> action)
    {
        lock (_lock)
        {
            return action(_versions);
        }
    }

    /// <summary>One version of the list: lookup table, ordered entries, and the entries behind each table key.</summary>
    private sealed class Content
    {
        private readonly Dictionary<IpPattern, List<ListEntry>> _byKey = [];

        public AddressTable Table { get; } = new();

        public ImmutableList<ListEntry> Entries { get; private set; } = [];

        public void Add(ListEntry entry)
        {
            if (!_byKey.TryGetValue(entry.Parsed, out var same))
            {
                same = [];
                _byKey[entry.Parsed] = same;
            }

            same.Add(entry);
            Table.Set(entry.Parsed, same.Max(e => e.ExpiresTicks));
            Entries = Entries.Add(entry);
        }

        public int RemoveWhere(Func<ListEntry, bool> predicate)
        {
            var removed = Entries.Where(predicate).ToList();
            if (removed.Count == 0)
            {
                return 0;
            }

            Entries = Entries.RemoveAll(e => predicate(e));
            foreach (var key in removed.Select(e => e.Parsed).Distinct())
            {
                var same = _byKey[key];
                same.RemoveAll(e => predicate(e));
                if (same.Count == 0)
                {
                    _byKey.Remove(key);
                    Table.Remove(key);
                }
                else
                {
                    Table.Set(key, same.Max(e => e.ExpiresTicks));
                }
            }

            return removed.Count;
        }
    }
}

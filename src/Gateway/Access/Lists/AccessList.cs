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
    private readonly Dictionary<int, List<ListEntry>> _pending = [];
    private volatile Content _content = new();
    private int _nextVersion;

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
    public int CurrentVersion { get; private set; }

    /// <summary>The version the last <c>prepare</c> created (HAProxy's <c>next_ver</c>).</summary>
    public int NextVersion
    {
        get
        {
            lock (_lock)
            {
                return _nextVersion;
            }
        }
    }

    /// <summary>Entries waiting in prepared versions, not yet visible.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Values.Sum(v => v.Count);
            }
        }
    }

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
    public int Prepare()
    {
        lock (_lock)
        {
            var version = ++_nextVersion;
            _pending[version] = [];
            return version;
        }
    }

    /// <summary>Checks a version number as HAProxy does; null when it may be used, else the error to show.</summary>
    public VersionCheck CheckVersion(int version)
    {
        lock (_lock)
        {
            if (version <= CurrentVersion && !_pending.ContainsKey(version))
            {
                return VersionCheck.TooOld;
            }

            return version > _nextVersion ? VersionCheck.Future : VersionCheck.Ok;
        }
    }

    public bool AddToVersion(int version, ListEntry entry)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(version, out var entries))
            {
                return false;
            }

            entries.Add(entry);
            return true;
        }
    }

    /// <summary>Empties a prepared version (HAProxy's <c>clear acl @N</c>); false when there is no such version.</summary>
    public bool ClearVersion(int version)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(version, out var entries))
            {
                return false;
            }

            entries.Clear();
            return true;
        }
    }

    /// <summary>The entries added to a prepared version so far.</summary>
    public bool TryGetVersion(int version, out IReadOnlyList<ListEntry> entries)
    {
        lock (_lock)
        {
            var found = _pending.TryGetValue(version, out var list);
            entries = found ? [.. list!] : [];
            return found;
        }
    }

    /// <summary>Records that <paramref name="version"/> became current (its content applied by a store); older ones go.</summary>
    public void MarkCommitted(int version)
    {
        lock (_lock)
        {
            CurrentVersion = Math.Max(CurrentVersion, version);
            foreach (var old in _pending.Keys.Where(v => v <= version).ToList())
            {
                _pending.Remove(old);
            }
        }
    }

    /// <summary>Makes a prepared version the list's content; older pending versions are dropped.</summary>
    public bool Commit(int version)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(version, out var entries))
            {
                return false;
            }

            var content = new Content();
            foreach (var entry in entries)
            {
                content.Add(entry);
            }

            _content = content;
            CurrentVersion = version;
            foreach (var old in _pending.Keys.Where(v => v <= version).ToList())
            {
                _pending.Remove(old);
            }

            return true;
        }
    }

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

    internal enum VersionCheck
    {
        Ok,
        TooOld,
        Future,
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

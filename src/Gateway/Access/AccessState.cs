using System.Collections.Frozen;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Gateway.Access.Tokens;

namespace Gateway.Access;

/// <summary>
/// The live access state: lists (with their entries), token maps and sessions. Readers look things up without
/// locking; the catalog of lists and maps is an immutable snapshot replaced when the configuration changes, and the
/// entries inside are changed only through <see cref="AccessChange"/>s applied by a store.
/// </summary>
internal sealed class AccessState
{
    private readonly Lock _configureLock = new();
    private volatile Catalog _catalog = Catalog.Empty;
    private long _nextId = 0x1000;

    public SessionTable Sessions { get; } = new();

    /// <summary>Lists ordered by id.</summary>
    public IReadOnlyList<AccessList> Lists => _catalog.Lists;

    /// <summary>Token maps, one per list, ordered by the list's id.</summary>
    public IReadOnlyList<TokenMap> Maps => _catalog.Maps;

    public bool TryGetList(string name, out AccessList list) => _catalog.ListsByName.TryGetValue(name, out list!);

    public bool TryGetList(int id, out AccessList list) => _catalog.ListsById.TryGetValue(id, out list!);

    /// <summary>The token map of a list, by the list's name.</summary>
    public bool TryGetMap(string listName, out TokenMap map) => _catalog.MapsByName.TryGetValue(listName, out map!);

    public bool TryGetMap(int id, out TokenMap map) => _catalog.MapsById.TryGetValue(id, out map!);

    /// <summary>
    /// Where ids come from when several replicas share the state (a store sets it so their ids never collide);
    /// null: a local counter.
    /// </summary>
    public Func<long>? IdSource { get; set; }

    /// <summary>A fresh id for an entry, token or anything shown as <c>0x...</c>.</summary>
    public long NextId() => IdSource?.Invoke() ?? Interlocked.Increment(ref _nextId);

    /// <summary>Drops everything a store holds (runtime entries, tokens, sessions) before a full reload from it.</summary>
    public void ClearStored()
    {
        foreach (var list in Lists)
        {
            list.RemoveWhere(e => e.Source == EntrySource.Runtime);
        }

        foreach (var map in Maps)
        {
            map.Clear();
        }

        Sessions.Clear();
    }

    /// <summary>Keeps ids issued from now on above one that a store replayed.</summary>
    public void ObserveId(long id)
    {
        long current;
        while ((current = Volatile.Read(ref _nextId)) < id && Interlocked.CompareExchange(ref _nextId, id, current) != current)
        {
        }
    }

    /// <summary>
    /// Brings the catalog in line with a configuration: lists are kept by name (their runtime entries survive a reload),
    /// ids and TTLs updated, static entries replaced when they changed; lists no longer configured are dropped.
    /// </summary>
    public void Configure(AccessConfig config)
    {
        lock (_configureLock)
        {
            var old = _catalog;
            var lists = new List<AccessList>();
            var maps = new List<TokenMap>();
            foreach (var definition in config.Lists.OrderBy(l => l.Id))
            {
                if (!old.ListsByName.TryGetValue(definition.Name, out var list))
                {
                    list = new AccessList(definition.Name, definition.Id, definition.DefaultTtl);
                }

                list.Id = definition.Id;
                list.DefaultTtl = definition.DefaultTtl;
                ReplaceStaticEntries(list, definition);
                lists.Add(list);

                if (!old.MapsByName.TryGetValue(definition.Name, out var map))
                {
                    map = new TokenMap(definition.Name, definition.TokenMapId, definition.Name);
                }

                map.Id = definition.TokenMapId;
                maps.Add(map);
            }

            _catalog = new Catalog(lists, maps);
        }
    }

    private void ReplaceStaticEntries(AccessList list, ListDefinition definition)
    {
        var current = list.Entries.Where(e => e.Source == EntrySource.Config).Select(e => e.Pattern);
        if (current.SequenceEqual(definition.Entries.Select(e => e.Pattern), StringComparer.Ordinal))
        {
            return;
        }

        list.RemoveWhere(e => e.Source == EntrySource.Config);
        foreach (var (pattern, parsed) in definition.Entries)
        {
            list.Add(new ListEntry(NextId(), pattern, parsed, null, EntrySource.Config));
        }
    }

    private sealed class Catalog
    {
        public static readonly Catalog Empty = new([], []);

        public Catalog(List<AccessList> lists, List<TokenMap> maps)
        {
            Lists = lists;
            Maps = maps;
            ListsByName = lists.ToFrozenDictionary(l => l.Name, StringComparer.OrdinalIgnoreCase);
            ListsById = lists.ToFrozenDictionary(l => l.Id);
            MapsByName = maps.ToFrozenDictionary(m => m.ListName, StringComparer.OrdinalIgnoreCase);
            MapsById = maps.Where(m => m.Id is not null).ToFrozenDictionary(m => m.Id!.Value);
        }

        public IReadOnlyList<AccessList> Lists { get; }

        public IReadOnlyList<TokenMap> Maps { get; }

        public FrozenDictionary<string, AccessList> ListsByName { get; }

        public FrozenDictionary<int, AccessList> ListsById { get; }

        public FrozenDictionary<string, TokenMap> MapsByName { get; }

        public FrozenDictionary<int, TokenMap> MapsById { get; }
    }
}

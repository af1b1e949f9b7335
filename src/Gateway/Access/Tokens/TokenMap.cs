using System.Collections.Concurrent;

namespace Gateway.Access.Tokens;

/// <summary>
/// The tokens (KATs) of one access list, with a numeric id so the runtime API can issue them with
/// <c>add map #&lt;id&gt; &lt;token&gt; &lt;value&gt;</c>. Redemption removes the token atomically: of two requests racing
/// with one token, exactly one gets it. Writes (rare: an issue or a redemption per login) are serialised so that a
/// <c>commit</c> swapping the whole map cannot let a token be taken twice; lookups do not lock.
/// </summary>
internal sealed class TokenMap
{
    private readonly Lock _lock = new();
    private volatile ConcurrentDictionary<TokenHash, Kat> _tokens = new();
    private readonly PreparedVersions<Kat> _versions = new();

    public TokenMap(string name, int? id, string listName)
    {
        Name = name;
        Id = id;
        ListName = listName;
    }

    /// <summary>The map's name (the list's name), used where HAProxy would show a map file.</summary>
    public string Name { get; }

    /// <summary>The numeric id the runtime API addresses the map by; null when the list has no TokenMapId.</summary>
    public int? Id { get; set; }

    /// <summary>The access list whose session a token from this map grants.</summary>
    public string ListName { get; }

    /// <summary>The version <c>commit</c> last made current (0 until the first commit).</summary>
    public int CurrentVersion => Locked(v => v.Current);

    /// <summary>The version the last <c>prepare</c> created (HAProxy's <c>next_ver</c>).</summary>
    public int NextVersion => Locked(v => v.Next);

    /// <summary>Tokens waiting in prepared versions, not yet redeemable.</summary>
    public int PendingCount => Locked(v => v.PendingCount);

    public int Count => _tokens.Count;

    /// <summary>Unredeemed tokens in issue order (expired ones until swept).</summary>
    public IEnumerable<Kat> Tokens => _tokens.Values.OrderBy(t => t.Id);

    public void Add(Kat kat)
    {
        lock (_lock)
        {
            _tokens[kat.Hash] = kat;
        }
    }

    public bool TryGet(TokenHash hash, out Kat kat) => _tokens.TryGetValue(hash, out kat!);

    /// <summary>Takes the token out; true for exactly one caller per token.</summary>
    public bool TryTake(TokenHash hash, out Kat kat)
    {
        lock (_lock)
        {
            return _tokens.TryRemove(hash, out kat!);
        }
    }

    public bool Remove(TokenHash hash) => TryTake(hash, out _);

    public int RemoveWhere(Func<Kat, bool> predicate)
    {
        lock (_lock)
        {
            var removed = 0;
            foreach (var (hash, kat) in _tokens)
            {
                if (predicate(kat) && _tokens.TryRemove(hash, out _))
                {
                    removed++;
                }
            }

            return removed;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _tokens = new ConcurrentDictionary<TokenHash, Kat>();
        }
    }

    /// <summary>Starts a new, empty version (HAProxy's <c>prepare map</c>).</summary>
    public int Prepare() => Locked(v => v.Prepare());

    public bool AddToVersion(int version, Kat kat) => Locked(v => v.TryAdd(version, kat));

    /// <summary>Empties a prepared version (HAProxy's <c>clear map @N</c>); false when there is no such version.</summary>
    public bool ClearVersion(int version) => Locked(v => v.TryClear(version));

    public bool TryGetVersion(int version, out IReadOnlyList<Kat> tokens)
    {
        lock (_lock)
        {
            return _versions.TryGet(version, out tokens);
        }
    }

    /// <summary>Records that <paramref name="version"/> became current (its content applied by a store); older ones go.</summary>
    public void MarkCommitted(int version) => Locked(v =>
    {
        v.MarkCommitted(version);
        return true;
    });

    /// <summary>Replaces every token at once (a committed version applied by a store), without touching versions.</summary>
    public void Replace(IEnumerable<Kat> kats)
    {
        lock (_lock)
        {
            var tokens = new ConcurrentDictionary<TokenHash, Kat>();
            foreach (var kat in kats)
            {
                tokens[kat.Hash] = kat;
            }

            _tokens = tokens;
        }
    }

    private TResult Locked<TResult>(Func<PreparedVersions<Kat>, TResult> action)
    {
        lock (_lock)
        {
            return action(_versions);
        }
    }
}

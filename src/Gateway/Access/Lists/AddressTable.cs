using System.Collections.Concurrent;

namespace Gateway.Access.Lists;

/// <summary>
/// The lookup side of an access list: one hash table per prefix length present, keyed by the masked address, holding
/// the latest expiry of the entries with that key. A lookup costs one hash probe per distinct prefix length in the
/// list (at most 129, usually one or two), whatever the number of entries. Readers never lock; the owning
/// <see cref="AccessList"/> serialises writers.
/// </summary>
internal sealed class AddressTable
{
    private readonly ConcurrentDictionary<IpKey, long>?[] _byLength = new ConcurrentDictionary<IpKey, long>?[129];
    private readonly int[] _keysByLength = new int[129];
    private volatile int[] _lengths = [];

    /// <summary>Distinct prefix lengths present, longest first.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    public int Count { get; private set; }

    /// <summary>True when an unexpired entry covers <paramref name="address"/>.</summary>
    public bool Contains(IpKey address, long nowTicks)
    {
        var lengths = _lengths;
        for (var i = 0; i < lengths.Length; i++)
        {
            var length = lengths[i];
            if (_byLength[length]!.TryGetValue(address.Mask(length), out var expires) && expires > nowTicks)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets the latest expiry for a key (writers only).</summary>
    public void Set(IpPattern pattern, long expiresTicks)
    {
        var table = _byLength[pattern.Length];
        if (table is null)
        {
            table = new ConcurrentDictionary<IpKey, long>();
            _byLength[pattern.Length] = table;
        }

        if (table.TryGetValue(pattern.Key, out _))
        {
            table[pattern.Key] = expiresTicks;
            return;
        }

        table[pattern.Key] = expiresTicks;
        Count++;

        // Counted here: ConcurrentDictionary.Count takes every one of its locks (up to 1024 in a big table).
        if (++_keysByLength[pattern.Length] == 1)
        {
            _lengths = [.. _lengths.Append(pattern.Length).OrderDescending()];
        }
    }

    /// <summary>Removes a key (writers only).</summary>
    public void Remove(IpPattern pattern)
    {
        var table = _byLength[pattern.Length];
        if (table is null || !table.TryRemove(pattern.Key, out _))
        {
            return;
        }

        Count--;
        if (--_keysByLength[pattern.Length] == 0)
        {
            _lengths = [.. _lengths.Where(l => l != pattern.Length)];
        }
    }
}

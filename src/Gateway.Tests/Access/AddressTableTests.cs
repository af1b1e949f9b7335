using System.Net;
using Gateway.Access.Lists;

namespace Gateway.Tests.Access;

public sealed class AddressTableTests
{
    private static IpKey Ip(string text) => IpKey.From(IPAddress.Parse(text));

    private static ListEntry Entry(long id, string pattern, DateTimeOffset? expires = null)
    {
        Assert.True(IpPattern.TryParse(pattern, out var parsed));
        return new ListEntry(id, pattern, parsed, expires, EntrySource.Runtime);
    }

    [Fact]
    public void Contains_LongestPrefixOrExactEntryAllows()
    {
        var list = new AccessList("l", 500, null);
        list.Add(Entry(1, "10.0.0.0/8"));
        list.Add(Entry(2, "192.0.2.7"));
        list.Add(Entry(3, "2001:db8::/48"));

        Assert.True(list.Contains(Ip("10.1.2.3"), 0));
        Assert.True(list.Contains(Ip("192.0.2.7"), 0));
        Assert.True(list.Contains(Ip("2001:db8:0:1::5"), 0));
        Assert.False(list.Contains(Ip("192.0.2.8"), 0));
        Assert.False(list.Contains(Ip("2001:db8:1::5"), 0));
    }

    [Fact]
    public void Contains_ExpiredEntryNoLongerAllows_AtTheExactBoundary()
    {
        var expires = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var list = new AccessList("l", 500, null);
        list.Add(Entry(1, "198.51.100.4", expires));

        Assert.True(list.Contains(Ip("198.51.100.4"), expires.UtcTicks - 1));
        Assert.False(list.Contains(Ip("198.51.100.4"), expires.UtcTicks));
    }

    [Fact]
    public void Duplicates_AreKeptAndRemovePatternRemovesEveryIdenticalOne()
    {
        var list = new AccessList("l", 500, null);
        list.Add(Entry(1, "198.51.100.4"));
        list.Add(Entry(2, "198.51.100.4"));
        list.Add(Entry(3, "198.51.100.4/32"));

        Assert.Equal(3, list.Count);
        Assert.Equal(2, list.RemovePattern("198.51.100.4"));
        // The /32 written differently is another pattern with the same value: the address stays allowed.
        Assert.True(list.Contains(Ip("198.51.100.4"), 0));
        Assert.Equal(1, list.RemovePattern("198.51.100.4/32"));
        Assert.False(list.Contains(Ip("198.51.100.4"), 0));
    }

    [Fact]
    public void RemovingTheLongerLivedDuplicate_FallsBackToTheOtherExpiry()
    {
        var soon = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var list = new AccessList("l", 500, null);
        list.Add(Entry(1, "198.51.100.4", soon));
        list.Add(Entry(2, "198.51.100.4/32"));

        Assert.True(list.Contains(Ip("198.51.100.4"), soon.UtcTicks + 1));
        list.RemoveEntry(2);
        Assert.False(list.Contains(Ip("198.51.100.4"), soon.UtcTicks + 1));
        Assert.True(list.Contains(Ip("198.51.100.4"), soon.UtcTicks - 1));
    }

    [Fact]
    public void PreparedVersion_IsInvisibleUntilCommitted_ThenReplacesTheList()
    {
        var list = new AccessList("l", 500, null);
        list.Add(Entry(1, "192.0.2.1"));
        var version = list.Prepare();
        list.AddToVersion(version, Entry(2, "192.0.2.2"));

        Assert.True(list.Contains(Ip("192.0.2.1"), 0));
        Assert.False(list.Contains(Ip("192.0.2.2"), 0));
        // What a store does with a committed version: the prepared entries become the content, the version current.
        Assert.True(list.TryGetVersion(version, out var prepared));
        list.Replace(prepared);
        list.MarkCommitted(version);
        Assert.False(list.Contains(Ip("192.0.2.1"), 0));
        Assert.True(list.Contains(Ip("192.0.2.2"), 0));
        Assert.Equal(version, list.CurrentVersion);
        Assert.False(list.TryGetVersion(version, out _));
    }

    [Fact]
    public async Task ReadersDuringWrites_NeverSeeAnEntryThatWasNeverAdded()
    {
        var list = new AccessList("l", 500, null);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                list.Add(Entry(i, $"10.{(i >> 8) & 255}.{i & 255}.0/24"));
            }
        });
        var stranger = Ip("192.0.2.1");
        var sawStranger = false;
        while (!writer.IsCompleted)
        {
            sawStranger |= list.Contains(stranger, 0);
        }

        await writer;
        Assert.False(sawStranger);
        Assert.True(list.Contains(Ip("10.78.31.5"), 0));
    }
}

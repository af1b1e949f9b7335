using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Access.Lists;

namespace Gateway.Benchmarks;

/// <summary>
/// Allowlist lookup cost against list size: addresses (IPv4 and IPv6) and CIDR prefixes, 10 to 1,000,000 entries.
/// Each operation probes 1,024 addresses spread over the list (half listed, half not), so the figure includes cache
/// misses a large list really causes rather than one hot key.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class AllowlistLookupBenchmarks
{
    private const int Probes = 1024;
    private AccessList _list = null!;
    private IpKey[] _probes = null!;

    [Params(10, 10_000, 1_000_000)]
    public int Entries { get; set; }

    [Params("ipv4", "ipv6", "cidr")]
    public string Kind { get; set; } = "ipv4";

    [GlobalSetup]
    public void Setup()
    {
        _list = new AccessList("bench", 500, null);
        var random = new Random(42);
        var listed = new List<IpKey>();
        for (var i = 0; i < Entries; i++)
        {
            var (pattern, member) = Make(i, random);
            IpPattern.TryParse(pattern, out var parsed);
            _list.Add(new ListEntry(i, pattern, parsed, null, EntrySource.Runtime));
            listed.Add(member);
        }

        _probes = new IpKey[Probes];
        for (var i = 0; i < Probes; i++)
        {
            _probes[i] = i % 2 == 0 ? listed[random.Next(listed.Count)] : IpKey.From(IPAddress.Parse($"203.0.113.{i % 250}"));
        }
    }

    [Benchmark(OperationsPerInvoke = Probes)]
    public int Lookup()
    {
        var hits = 0;
        foreach (var probe in _probes)
        {
            if (_list.Contains(probe, 0))
            {
                hits++;
            }
        }

        return hits;
    }

    private (string Pattern, IpKey Member) Make(int i, Random random) => Kind switch
    {
        "ipv6" => Pair($"2001:db8:{i >> 16:x}:{i & 0xffff:x}::{random.Next(1, 0xffff):x}"),
        // A mix of prefix lengths, as real lists hold: /24, /20 and /16 networks in 10.0.0.0/8 and 100.64.0.0/10.
        "cidr" => CidrPair(i),
        _ => Pair($"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"),
    };

    private static (string, IpKey) Pair(string address) => (address, IpKey.From(IPAddress.Parse(address)));

    private static (string, IpKey) CidrPair(int i)
    {
        var length = (i % 3) switch { 0 => 24, 1 => 20, _ => 16 };
        var network = $"{(i % 2 == 0 ? 10 : 100)}.{(i >> 8) & 255}.{i & 255}.0";
        IpPattern.TryParse($"{network}/{length}", out var parsed);
        var member = new IpKey(parsed.Key.Hi, parsed.Key.Lo | 7);
        return ($"{network}/{length}", member);
    }
}

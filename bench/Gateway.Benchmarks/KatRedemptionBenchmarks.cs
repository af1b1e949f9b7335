using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Access;
using Gateway.Access.Sessions;
using Gateway.Access.Tokens;
using Gateway.State;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// Redeeming a KAT as the <c>?kat=</c> visit does, through the in-memory store: hash the token, take it from the map
/// (single use), open a session bound to the client IP, and seal the session cookie. <c>Issue</c> alone (what
/// <c>add map #501 token user</c> costs) is measured too, since every redemption here needs a token issued first:
/// redemption = <c>IssueAndRedeem</c> - <c>Issue</c>.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class KatRedemptionBenchmarks
{
    private static readonly IPAddress Client = IPAddress.Loopback;
    private readonly AccessState _state = new();
    private readonly SessionCookies _cookies = new(new EphemeralDataProtectionProvider());
    private AccessWriter _writer = null!;
    private TokenMap _map = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _state.Configure(AccessConfig.Empty with { Lists = [new ListDefinition("knoc", 500, 501, [], null)] });
        _state.TryGetMap("knoc", out _map);
        _writer = new AccessWriter(_state, new MemoryAccessStore(_state), TimeProvider.System, NullLogger<AccessWriter>.Instance);
    }

    [Benchmark]
    public async Task<string> Issue()
    {
        var (token, _) = await _writer.IssueTokenAsync(_map, Token(), "bench", TimeSpan.FromSeconds(60), "bench");
        var hash = TokenHash.Of(token);
        await _writer.RemoveTokenAsync(_map, hash, "bench");
        return token;
    }

    [Benchmark(Baseline = true)]
    public async Task<string> IssueAndRedeem()
    {
        var (token, _) = await _writer.IssueTokenAsync(_map, Token(), "bench", TimeSpan.FromSeconds(60), "bench");
        var (session, _) = await _writer.RedeemAsync(_map, token.AsMemory(), Client, TimeSpan.FromHours(12), TimeSpan.FromHours(1), "kat:127.0.0.1");
        var cookie = _cookies.Seal(session!);
        _state.Sessions.Remove(session!.Id);
        return cookie;
    }

    private string Token() => "Qm9vdHN0cmFwLXRva2VuLWJlbmNo" + Interlocked.Increment(ref _next).ToString("D10");
}

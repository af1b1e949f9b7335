using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Access.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Gateway.Benchmarks;

/// <summary>
/// What the ip+kat policy does per request once the KAT is redeemed: find the session cookie in the Cookie header,
/// resolve it (the decrypted ticket is cached after the first sight), and decide against the allowlist and the session
/// table (<see cref="AccessEvaluator"/>). <c>CachedCookie</c> is the steady state of every request but a session's first;
/// <c>FirstSight</c> decrypts (Data Protection, AES-256-CBC + HMACSHA256) as a cookie's first request on a process does.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class SessionCookieBenchmarks
{
    private readonly SessionCookies _cookies = new(new EphemeralDataProtectionProvider());
    private readonly IDataProtectionProvider _provider = new EphemeralDataProtectionProvider();
    private readonly AccessState _state = new();
    private RoutePolicy _policy = null!;
    private AccessList _list = null!;
    private DefaultHttpContext _context = null!;
    private IpKey _client;
    private string _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        IpPattern.TryParse("127.0.0.1", out var loopback);
        _state.Configure(AccessConfig.Empty with { Lists = [new ListDefinition("knoc", 500, 501, [("127.0.0.1", loopback)], null)] });
        _state.TryGetList("knoc", out _list);
        for (var i = 0; i < 1000; i++)
        {
            var pattern = $"10.{(i >> 8) & 255}.{i & 255}.1";
            IpPattern.TryParse(pattern, out var parsed);
            _list.Add(new ListEntry(i + 10, pattern, parsed, null, EntrySource.Runtime));
        }

        _client = IpKey.From(IPAddress.Loopback);
        var now = DateTimeOffset.UtcNow;
        var session = new Session(SessionId.New(), "knoc", "bench", _client, now, now.AddHours(12), TimeSpan.FromHours(1));
        _state.Sessions.Add(session);
        _policy = new RoutePolicy("app", PolicyMode.Ip | PolicyMode.Kat, "knoc", RejectAction.Default, "gateway_session");
        _sealed = _cookies.Seal(session);
        _context = new DefaultHttpContext();
        _context.Request.Headers.Cookie = $"theme=dark; {_policy.CookieName}={_sealed}; _ga=GA1.2.3";
        _cookies.Read(_context.Request, _policy.CookieName);
    }

    [Benchmark(Baseline = true)]
    public int CachedCookie()
    {
        var cookie = _cookies.Read(_context.Request, _policy.CookieName);
        return (int)AccessEvaluator.Evaluate(_policy, _list, _client, cookie, _state.Sessions, DateTime.UtcNow.Ticks, out _);
    }

    [Benchmark]
    public bool FindCookieOnly() => SessionCookies.TryFind(_context.Request.Headers.Cookie, _policy.CookieName, out _);

    [Benchmark]
    public int FirstSight()
    {
        // A fresh cache each time: what a process pays for the first request that carries a given cookie.
        using var cookies = new SessionCookies(_provider);
        return (int)cookies.Read(_context.Request, _policy.CookieName).Status;
    }

    [GlobalSetup(Target = nameof(FirstSight))]
    public void SetupFirstSight()
    {
        Setup();
        // Seal with the provider the fresh caches use, so the first sight really decrypts a valid cookie.
        var now = DateTimeOffset.UtcNow;
        var session = new Session(SessionId.New(), "knoc", "bench", _client, now, now.AddHours(12), TimeSpan.FromHours(1));
        using var sealer = new SessionCookies(_provider);
        _context.Request.Headers.Cookie = $"theme=dark; {_policy.CookieName}={sealer.Seal(session)}; _ga=GA1.2.3";
    }
}

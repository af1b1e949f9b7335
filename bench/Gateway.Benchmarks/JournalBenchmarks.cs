using BenchmarkDotNet.Attributes;
using Gateway.Access;
using Gateway.Hosting;
using Gateway.State;
using Gateway.State.Embedded;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks;

/// <summary>
/// What durability costs per acknowledged change: one <c>add acl</c> committed through the memory store, the embedded
/// journal flushed to the OS (the default, fsync every second), and the journal fsynced before each acknowledgement.
/// </summary>
[Config(typeof(InProcessShortConfig))]
public class JournalBenchmarks
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-bench-journal-" + Guid.NewGuid().ToString("N")[..8]);
    private IAccessStore _store = null!;
    private AccessState _state = null!;
    private int _next;

    [Params("memory", "interval", "always")]
    public string Store { get; set; } = "memory";

    [GlobalSetup]
    public void Setup()
    {
        _state = new AccessState();
        _state.Configure(AccessConfig.Empty with { Lists = [new ListDefinition("bench", 500, 501, [], null)] });
        _store = Store == "memory"
            ? new MemoryAccessStore(_state)
            : new EmbeddedAccessStore(
                _state,
                new StateDirectory(_directory, NullLogger<StateDirectory>.Instance),
                StateSettings.Default with { FsyncAlways = Store == "always", CompactAfter = 1_000_000 },
                TimeProvider.System,
                new StoreMetrics(new Gateway.Observability.GatewayMetrics(new BenchMeterFactory())),
                NullLogger<EmbeddedAccessStore>.Instance);
    }

    [Benchmark]
    public async Task AddAcl()
    {
        var i = Interlocked.Increment(ref _next);
        await _store.CommitAsync(new EntryAdded("bench", _state.NextId(), $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}", null) { Actor = "bench", At = DateTimeOffset.UtcNow });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Meters for the stores' instruments, as the host's factory makes them (nothing listens here).</summary>
internal sealed class BenchMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}

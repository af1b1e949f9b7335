using System.Diagnostics.Metrics;
using Gateway.Observability;

namespace Gateway.State;

/// <summary>
/// The state capability's instruments. PostgreSQL store: how far behind the shared change log this replica runs, as
/// the time from a change being written (stamped by the writing replica's clock just before its commit) to its
/// application here; clocks that disagree between replicas shift it. Embedded store: the time to append each batch
/// of changes to the journal (with its fsync when <c>FsyncAlways</c>), the wait every acknowledged write includes.
/// </summary>
internal sealed class StoreMetrics : ICapabilityMetrics
{
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
    private static readonly double[] WriteBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Histogram<double> _syncLag;
    private readonly Histogram<double> _journalWrite;

    public StoreMetrics(GatewayMetrics metrics)
    {
        var meter = metrics.Meter;
        _syncLag = meter.CreateHistogram(
            "gateway.store.sync_lag", "s", "PostgreSQL store: time from a change being written (by any replica) to its application on this replica.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        _journalWrite = meter.CreateHistogram(
            "gateway.store.journal_write.duration", "s", "Embedded store: time to append a batch of changes to the journal (and fsync it with FsyncAlways).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WriteBuckets });
    }

    /// <summary>A change from the shared log applied on this replica, <paramref name="lag"/> after it was written.</summary>
    public void ChangeApplied(TimeSpan lag) => _syncLag.Record(Math.Max(0, lag.TotalSeconds));

    public void JournalWritten(TimeSpan elapsed) => _journalWrite.Record(elapsed.TotalSeconds);
}

using System.Threading.Channels;
using Gateway.Access;
using Gateway.Access.Tokens;
using Gateway.Hosting;
using Gateway.Observability;

namespace Gateway.State.Embedded;

/// <summary>
/// The default store: the access state in memory, every change appended to a journal in the state directory before
/// it is acknowledged, and a snapshot written (and the journal cut) every <see cref="StateSettings.CompactAfter"/>
/// records, or once the journal is as long as the last snapshot if that is more. One writer loop orders all changes,
/// so what is journaled is what was applied, in the same order; writers that arrive together share one write (and,
/// with <c>Fsync: always</c>, one flush to disk).
/// </summary>
internal sealed partial class EmbeddedAccessStore : IAccessStore, IReadinessCheck, IAsyncDisposable
{
    private const int MaxBatch = 512;
    private readonly AccessState _state;
    private readonly StateSettings _settings;
    private readonly TimeProvider _time;
    private readonly StoreMetrics _metrics;
    private readonly ILogger<EmbeddedAccessStore> _logger;
    private readonly JournalFiles _files;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly ITimer? _flushTimer;
    private long _seq;
    private int _sinceSnapshot;
    private int _snapshotSize;
    private Task _compaction = Task.CompletedTask;
    private volatile string? _problem;
    private int _disposed;

    public EmbeddedAccessStore(
        AccessState state, StateDirectory directory, StateSettings settings, TimeProvider time, StoreMetrics metrics, ILogger<EmbeddedAccessStore> logger)
    {
        _state = state;
        _settings = settings;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _files = new JournalFiles(directory.Combine("access"));
        _seq = Load();
        _files.OpenJournal();
        _writer = Task.Run(WriteLoopAsync);
        if (!settings.FsyncAlways)
        {
            _flushTimer = time.CreateTimer(_ => FlushToDisk(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    public string? Problem => _problem;

    public ValueTask CommitAsync(AccessChange change, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(() => change, null);
        return Enqueue(pending);
    }

    public async ValueTask<Kat?> TakeTokenAsync(TokenMap map, TokenHash hash, string actor, CancellationToken cancellationToken = default)
    {
        Kat? taken = null;
        var pending = new Pending(
            () =>
            {
                if (!map.TryTake(hash, out var kat))
                {
                    return null;
                }

                taken = kat;
                return new TokenRedeemed(map.ListName, hash.ToString()) { Actor = actor, At = _time.GetUtcNow() };
            },
            failed: () =>
            {
                // The redemption was not recorded: put the token back rather than lose it silently.
                if (taken is not null)
                {
                    map.Add(taken);
                }
            });
        await Enqueue(pending);
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        // Registered under several service types, so the container may dispose it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer;
        await _compaction;
        _flushTimer?.Dispose();
        _files.Dispose();
    }

    private ValueTask Enqueue(Pending pending)
    {
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new StoreUnavailableException("The gateway is shutting down; the change was not recorded.");
        }

        return new ValueTask(pending.Done.Task);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(Pending Pending, AccessChange? Change)>(MaxBatch);
        using var buffer = new MemoryStream();
        using var encoder = new JournalEncoder();
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            buffer.SetLength(0);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                var change = pending.Prepare();
                if (change is not null)
                {
                    new JournalRecord(++_seq, change).WriteTo(buffer, encoder);
                }

                batch.Add((pending, change));
            }

            try
            {
                var started = _time.GetTimestamp();
                _files.Append(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), _settings.FsyncAlways);
                if (buffer.Length > 0)
                {
                    _metrics.JournalWritten(_time.GetElapsedTime(started));
                }

                _problem = null;
            }
            catch (IOException e)
            {
                _problem = "the journal cannot be written: " + e.Message;
                Log.WriteFailed(_logger, _files.JournalPath, e);
                foreach (var (pending, _) in batch)
                {
                    pending.Failed?.Invoke();
                    pending.Done.TrySetException(new StoreUnavailableException("The change was not recorded: the journal cannot be written (" + e.Message + ").", e));
                }

                continue;
            }

            foreach (var (pending, change) in batch)
            {
                change?.Apply(_state);

                pending.Done.TrySetResult();
            }

            _sinceSnapshot += batch.Count;
            // Also wait until the journal is as long as the last snapshot: each snapshot costs its size, so a large state
            // filled in quickly (100,000 `add acl`) is not rewritten every CompactAfter changes; the cost stays linear.
            if (_sinceSnapshot >= Math.Max(_settings.CompactAfter, _snapshotSize) && _compaction.IsCompleted)
            {
                Compact();
            }
        }

        FlushToDisk();
    }

    /// <summary>Cuts the journal at the current record and writes a snapshot of the state as of that record, off the loop.</summary>
    private void Compact()
    {
        var snapshot = AccessSnapshot.Capture(_state, _seq, _time.GetUtcNow());
        _files.RotateJournal();
        _sinceSnapshot = 0;
        _snapshotSize = snapshot.Size;
        _compaction = Task.Run(() =>
        {
            try
            {
                _files.WriteSnapshot(snapshot);
                Log.Compacted(_logger, snapshot.Seq, snapshot.Lists.Values.Sum(l => l.Length), snapshot.Sessions.Length);
            }
            catch (IOException e)
            {
                Log.CompactionFailed(_logger, e);
            }
        });
    }

    private void FlushToDisk()
    {
        try
        {
            _files.FlushToDisk();
        }
        catch (IOException e)
        {
            _problem = "the journal cannot be flushed: " + e.Message;
            Log.WriteFailed(_logger, _files.JournalPath, e);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private long Load()
    {
        var now = _time.GetUtcNow();
        var snapshot = _files.ReadSnapshot();
        snapshot?.Restore(_state, now);
        var seq = snapshot?.Seq ?? 0;
        _snapshotSize = snapshot?.Size ?? 0;
        var replayed = 0;
        foreach (var (path, records, damagedAt) in _files.ReadJournals())
        {
            if (damagedAt is { } cut)
            {
                Log.JournalCut(_logger, path, cut, records.Count);
            }

            foreach (var record in records.Where(r => r.Seq > seq))
            {
                record.Change.Apply(_state);
                seq = record.Seq;
                replayed++;
            }
        }

        Log.Loaded(_logger, _files.Directory, snapshot?.Seq ?? 0, replayed, _state.Lists.Sum(l => l.Count), _state.Sessions.Count);
        return seq;
    }

    private sealed class Pending(Func<AccessChange?> prepare, Action? failed)
    {
        public Func<AccessChange?> Prepare { get; } = prepare;

        public Action? Failed { get; } = failed;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StateLoaded, LogLevel.Information, "Access state loaded from {Directory}: snapshot at change {Snapshot}, {Replayed} journal changes replayed; {Entries} list entries, {Sessions} sessions.")]
        public static partial void Loaded(ILogger logger, string directory, long snapshot, int replayed, int entries, int sessions);

        [LoggerMessage(EventIds.StateJournalCut, LogLevel.Warning, "Journal {Path} ends in a torn or damaged record at byte {Offset}; it was cut there, keeping the {Kept} good records before it.")]
        public static partial void JournalCut(ILogger logger, string path, long offset, int kept);

        [LoggerMessage(EventIds.StateWriteFailed, LogLevel.Error, "Cannot write the access journal {Path}; changes are refused until it can.")]
        public static partial void WriteFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventIds.StateCompacted, LogLevel.Information, "Access state compacted at change {Seq}: {Entries} runtime entries, {Sessions} sessions.")]
        public static partial void Compacted(ILogger logger, long seq, int entries, int sessions);

        [LoggerMessage(EventIds.StateCompactionFailed, LogLevel.Error, "Writing the access snapshot failed; the journal is kept and compaction retried later.")]
        public static partial void CompactionFailed(ILogger logger, Exception exception);
    }
}

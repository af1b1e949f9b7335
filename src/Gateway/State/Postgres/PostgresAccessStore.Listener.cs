using System.Text.Json;
using Gateway.Access;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.State.Postgres;

/// <summary>The background side: LISTEN for other replicas' changes, keep in touch, reconnect, reload, compact, sweep.</summary>
internal sealed partial class PostgresAccessStore
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Housekeeping = TimeSpan.FromSeconds(60);
    private const long CompactionLock = 0x6761_7465_7761_7902;
    private const int CompactAfterChanges = 10_000;

    private async Task ListenLoopAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        var migrated = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _source.OpenConnectionAsync(_stop.Token);
                if (!migrated)
                {
                    var applied = await PostgresSchema.MigrateAsync(_source, _schema, _stop.Token);
                    Log.Migrated(_logger, _schema, PostgresSchema.Latest, applied);
                    migrated = true;
                }

                var acmeChannel = AcmeChannel(_schema);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == acmeChannel)
                    {
                        AcmeChanges.Fire();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {_channel}; LISTEN {acmeChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                }

                // Whatever happened while disconnected, catch up (a full reload if the gap was compacted away).
                if (!_loaded)
                {
                    await _applyLock.WaitAsync(_stop.Token);
                    try
                    {
                        await ReloadAsync(connection, _stop.Token);
                    }
                    finally
                    {
                        _applyLock.Release();
                    }
                }
                else
                {
                    await CatchUpAsync(long.MaxValue, _stop.Token);
                }

                _loaded = true;
                _problem = null;
                MarkContact();
                _firstLoad.TrySetResult();
                // Back in touch (or in touch for the first time): certificates stored meanwhile are served now.
                AcmeChanges.Fire();
                backoff = TimeSpan.FromMilliseconds(500);
                var lastHousekeeping = _time.GetUtcNow();
                while (!_stop.IsCancellationRequested)
                {
                    if (await connection.WaitAsync(KeepAlive, _stop.Token))
                    {
                        await CatchUpAsync(long.MaxValue, _stop.Token);
                    }
                    else
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(_stop.Token);
                    }

                    MarkContact();
                    if (_time.GetUtcNow() - lastHousekeeping > Housekeeping)
                    {
                        lastHousekeeping = _time.GetUtcNow();
                        await HousekeepAsync(_stop.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (IsUnavailable(e) || e is StoreUnavailableException)
            {
                _problem = "the database is unreachable: " + e.Message;
                Log.Unreachable(_logger, e.Message, backoff.TotalSeconds);
                await Task.Delay(backoff, _time, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
    }

    /// <summary>Replaces the stored part of the state with the latest snapshot plus every change after it.</summary>
    private async Task ReloadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        AccessSnapshot? snapshot = null;
        await using (var read = new NpgsqlCommand($"SELECT snapshot FROM {_schema}.snapshots ORDER BY seq DESC LIMIT 1", connection))
        {
            if (await read.ExecuteScalarAsync(cancellationToken) is string json)
            {
                snapshot = JsonSerializer.Deserialize<AccessSnapshot>(json, StateJson.Options);
            }
        }

        var changes = new List<(long, AccessChange)>();
        await using (var read = new NpgsqlCommand($"SELECT seq, change FROM {_schema}.changes WHERE seq > $1 ORDER BY seq", connection))
        {
            read.Parameters.Add(new NpgsqlParameter { Value = snapshot?.Seq ?? 0 });
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.Add((reader.GetInt64(0), JsonSerializer.Deserialize<AccessChange>(reader.GetString(1), StateJson.Options)!));
            }
        }

        _state.ClearStored();
        snapshot?.Restore(_state, _time.GetUtcNow());
        var applied = snapshot?.Seq ?? 0;
        foreach (var (seq, change) in changes)
        {
            change.Apply(_state);
            applied = seq;
        }

        Volatile.Write(ref _applied, applied);
        Log.Reloaded(_logger, snapshot?.Seq ?? 0, changes.Count, applied);
    }

    /// <summary>
    /// One replica at a time (advisory lock): snapshot the state when the log has grown, drop what the snapshot
    /// covers, and sweep redemption records of tokens past their expiry.
    /// </summary>
    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_try_advisory_lock({CompactionLock})", connection))
        {
            if (!(bool)(await lockCommand.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
        }

        try
        {
            await using (var sweep = new NpgsqlCommand($"DELETE FROM {_schema}.redeemed_tokens WHERE expires_at < now(); DELETE FROM {_schema}.acme_challenges WHERE expires_at < now()", connection))
            {
                await sweep.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {_schema}.changes", connection);
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! < CompactAfterChanges)
            {
                return;
            }

            AccessSnapshot snapshot;
            await _applyLock.WaitAsync(cancellationToken);
            try
            {
                snapshot = AccessSnapshot.Capture(_state, Volatile.Read(ref _applied), _time.GetUtcNow());
            }
            finally
            {
                _applyLock.Release();
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var save = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"INSERT INTO {_schema}.snapshots (seq, saved_at, snapshot) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING")
                    {
                        Parameters =
                        {
                            new NpgsqlParameter { Value = snapshot.Seq },
                            new NpgsqlParameter { Value = snapshot.SavedAt },
                            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(snapshot, StateJson.Options) },
                        },
                    },
                    new NpgsqlBatchCommand($"DELETE FROM {_schema}.snapshots WHERE seq < $1") { Parameters = { new NpgsqlParameter { Value = snapshot.Seq } } },
                    new NpgsqlBatchCommand($"DELETE FROM {_schema}.changes WHERE seq <= $1") { Parameters = { new NpgsqlParameter { Value = snapshot.Seq } } },
                },
            })
            {
                await save.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            Log.Compacted(_logger, snapshot.Seq);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({CompactionLock})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.StatePostgresMigrated, LogLevel.Information, "PostgreSQL schema {Schema} at version {Version} ({Applied} migrations applied now).")]
        public static partial void Migrated(ILogger logger, string schema, int version, int applied);

        [LoggerMessage(Observability.EventIds.StatePostgresReloaded, LogLevel.Information, "Access state reloaded from PostgreSQL: snapshot at change {Snapshot}, {Changes} changes after it; now at change {Applied}.")]
        public static partial void Reloaded(ILogger logger, long snapshot, int changes, long applied);

        [LoggerMessage(Observability.EventIds.StatePostgresUnreachable, LogLevel.Error, "PostgreSQL is unreachable ({Reason}); decisions use the last state, writes are refused; retrying in {Seconds}s.")]
        public static partial void Unreachable(ILogger logger, string reason, double seconds);

        [LoggerMessage(Observability.EventIds.StateCompacted, LogLevel.Information, "Access change log compacted into a snapshot at change {Seq}.")]
        public static partial void Compacted(ILogger logger, long seq);
    }
}

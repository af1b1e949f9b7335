using System.Data.Common;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Access;
using Gateway.Access.Tokens;
using Gateway.Observability;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.State.Postgres;

/// <summary>
/// The shared store for several replicas. The database holds a change log (the same <see cref="AccessChange"/>s the
/// embedded journal holds) that every replica applies in order, woken by LISTEN/NOTIFY; a write is acknowledged once
/// it is committed and this replica has applied the log up to it. A KAT is redeemed by one INSERT ... ON CONFLICT, so
/// of any number of replicas racing on a token exactly one wins.
/// </summary>
internal sealed partial class PostgresAccessStore : IAccessStore, IReadinessCheck, IAsyncDisposable
{
    private const int IdBlockSize = 1000;
    private readonly NpgsqlDataSource _source;
    private readonly string _schema;
    private readonly string _channel;
    private readonly AccessState _state;
    private readonly StateSettings _settings;
    private readonly TimeProvider _time;
    private readonly StoreMetrics _metrics;
    private readonly ILogger<PostgresAccessStore> _logger;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly Lock _idLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _listener;
    private long _applied;
    private long _lastContactTicks;
    private long _nextId;
    private long _idBlockEnd;
    private volatile bool _loaded;
    private int _disposed;
    private volatile string? _problem = "the access state has not been loaded from the database yet";

    public PostgresAccessStore(AccessState state, StateSettings settings, TimeProvider time, StoreMetrics metrics, ILogger<PostgresAccessStore> logger)
    {
        _state = state;
        _settings = settings;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _schema = settings.Schema;
        _channel = settings.Schema + "_changes";
        _source = NpgsqlDataSource.Create(settings.ConnectionString!);
        state.IdSource = NextId;
        _listener = Task.Run(ListenLoopAsync);
        // Serve from a loaded state when the database is there; otherwise start, not ready, and keep trying.
        _firstLoad.Task.Wait(TimeSpan.FromSeconds(15));
    }

    public string? Problem => _problem;

    public bool IsStale => !_loaded || _time.GetUtcNow().UtcTicks - Volatile.Read(ref _lastContactTicks) > _settings.GracePeriod.Ticks;

    /// <summary>The change log position this replica has applied.</summary>
    public long Applied => Volatile.Read(ref _applied);

    internal NpgsqlDataSource DataSource => _source;

    /// <summary>Fires when a replica (this one included) stored an ACME certificate.</summary>
    internal ChangeSignal AcmeChanges { get; } = new();

    /// <summary>The NOTIFY channel announcing stored ACME certificates.</summary>
    internal static string AcmeChannel(string schema) => schema + "_acme";

    public async ValueTask CommitAsync(AccessChange change, CancellationToken cancellationToken = default)
    {
        long seq;
        try
        {
            await using var connection = await _source.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            seq = await AppendAsync(connection, change, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            MarkContact();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        await CatchUpAfterCommitAsync(seq, cancellationToken);
    }

    public async ValueTask<Kat?> TakeTokenAsync(TokenMap map, TokenHash hash, string actor, CancellationToken cancellationToken = default)
    {
        if (!map.TryGet(hash, out var kat))
        {
            // Issued on another replica a moment ago, perhaps: read the log before saying no.
            await CatchUpAsync(long.MaxValue, cancellationToken);
            if (!map.TryGet(hash, out kat))
            {
                return null;
            }
        }

        long seq;
        try
        {
            await using var connection = await _source.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var claim = new NpgsqlCommand(
                $"INSERT INTO {_schema}.redeemed_tokens (hash, list, redeemed_at, expires_at) VALUES ($1, $2, now(), $3) ON CONFLICT DO NOTHING", connection, transaction))
            {
                claim.Parameters.Add(new NpgsqlParameter { Value = hash.ToString() });
                claim.Parameters.Add(new NpgsqlParameter { Value = map.ListName });
                claim.Parameters.Add(new NpgsqlParameter { Value = kat.ExpiresAt });
                if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    return null;
                }
            }

            seq = await AppendAsync(connection, new TokenRedeemed(map.ListName, hash.ToString()) { Actor = actor, At = _time.GetUtcNow() }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            MarkContact();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }

        await CatchUpAfterCommitAsync(seq, cancellationToken);
        return kat;
    }

    public async ValueTask DisposeAsync()
    {
        // Registered under several service types, so the container may dispose it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _listener;
        }
        catch (OperationCanceledException)
        {
        }

        await _source.DisposeAsync();
        _stop.Dispose();
        _applyLock.Dispose();
    }

    /// <summary>Takes the next seq under log_head's row lock and inserts the change; NOTIFY goes out at commit.</summary>
    private async Task<long> AppendAsync(NpgsqlConnection connection, AccessChange change, CancellationToken cancellationToken)
    {
        await using var next = new NpgsqlCommand($"UPDATE {_schema}.log_head SET seq = seq + 1 RETURNING seq", connection);
        var seq = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"INSERT INTO {_schema}.changes (seq, at, actor, change) VALUES ($1, $2, $3, $4)")
                {
                    Parameters =
                    {
                        new NpgsqlParameter { Value = seq },
                        new NpgsqlParameter { Value = change.At },
                        new NpgsqlParameter { Value = change.Actor },
                        new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(change, StateJson.Options) },
                    },
                },
                new NpgsqlBatchCommand($"SELECT pg_notify('{_channel}', $1)") { Parameters = { new NpgsqlParameter { Value = seq.ToString(System.Globalization.CultureInfo.InvariantCulture) } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return seq;
    }

    // The change is committed whatever happens now; if the log cannot be read back this moment, the listener will.
    private async Task CatchUpAfterCommitAsync(long seq, CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(seq, cancellationToken);
        }
        catch (StoreUnavailableException)
        {
        }
    }

    /// <summary>Applies the log up to <paramref name="upTo"/> (or all of it), in order; a gap means a full reload.</summary>
    private async Task CatchUpAsync(long upTo, CancellationToken cancellationToken)
    {
        await _applyLock.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _applied) >= upTo)
            {
                return;
            }

            await using var connection = await _source.OpenConnectionAsync(cancellationToken);
            await using var read = new NpgsqlCommand($"SELECT seq, change FROM {_schema}.changes WHERE seq > $1 ORDER BY seq", connection);
            read.Parameters.Add(new NpgsqlParameter { Value = Volatile.Read(ref _applied) });
            var changes = new List<(long Seq, AccessChange Change)>();
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    changes.Add((reader.GetInt64(0), JsonSerializer.Deserialize<AccessChange>(reader.GetString(1), StateJson.Options)!));
                }
            }

            if (changes.Count > 0 && changes[0].Seq != Volatile.Read(ref _applied) + 1)
            {
                // The changes this replica missed were compacted away: start again from the latest snapshot.
                await ReloadAsync(connection, cancellationToken);
                return;
            }

            foreach (var (seq, change) in changes)
            {
                change.Apply(_state);
                Volatile.Write(ref _applied, seq);
                _metrics.ChangeApplied(_time.GetUtcNow() - change.At);
            }

            MarkContact();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>Ids from blocks the database hands out, so replicas never give two entries the same id.</summary>
    private long NextId()
    {
        lock (_idLock)
        {
            if (_nextId >= _idBlockEnd)
            {
                try
                {
                    using var command = _source.CreateCommand($"SELECT nextval('{_schema}.id_blocks')");
                    var block = (long)command.ExecuteScalar()!;
                    _nextId = 0x1000 + (block * IdBlockSize);
                    _idBlockEnd = _nextId + IdBlockSize;
                }
                catch (Exception e) when (IsUnavailable(e))
                {
                    throw Unavailable(e);
                }
            }

            return _nextId++;
        }
    }

    private void MarkContact() => Volatile.Write(ref _lastContactTicks, _time.GetUtcNow().UtcTicks);

    // Connection trouble (and a server shutting down or out of resources) is "unavailable"; any other server error is
    // a bug that must surface as such, not be reported as an outage.
    internal static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) ||
            pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException or DbException or SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    private StoreUnavailableException Unavailable(Exception e)
    {
        _problem = "the database is unreachable: " + e.Message;
        return new StoreUnavailableException("The change was not recorded: the database is unreachable (" + e.Message + ").", e);
    }
}

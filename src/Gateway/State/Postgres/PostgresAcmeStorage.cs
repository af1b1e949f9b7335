using System.Text.Json;
using Gateway.Tls.Acme;
using Microsoft.Extensions.Primitives;
using Npgsql;

namespace Gateway.State.Postgres;

/// <summary>
/// The ACME state of one authority in PostgreSQL, shared by every replica: one account (key and URL) and one
/// certificate per name set, chain and key. Ordering takes a session advisory lock on a connection of its own, so one
/// replica orders at a time; a stored certificate is announced with NOTIFY, and the other replicas serve it at once.
/// Keys are only ever read into memory, never logged.
/// </summary>
internal sealed class PostgresAcmeStorage(PostgresAccessStore store, string schema, Uri directory) : IAcmeStorage
{
    /// <summary>"gateway" + 3; migrations hold +1 and compaction +2.</summary>
    public const long OrderingLock = 0x6761_7465_7761_7903;

    private readonly string _authority = AcmeStorage.DirectoryName(directory);

    public string AccountKeyLocation => $"PostgreSQL {schema}.acme_accounts, authority {_authority}";

    public IChangeToken Watch() => store.AcmeChanges.Token;

    public void CheckKeys()
    {
        // Nothing on disk: the database's own access control guards the keys.
    }

    public Task<(AccountKey Key, bool Created)> LoadOrCreateAccountKeyAsync(CancellationToken cancellation) => Run(async connection =>
    {
        // Whoever inserts first wins; everyone then reads the one key.
        var candidate = AccountKey.Create();
        await using var insert = new NpgsqlCommand($"INSERT INTO {schema}.acme_accounts (authority, key_pem) VALUES ($1, $2) ON CONFLICT (authority) DO NOTHING", connection)
        {
            Parameters = { new() { Value = _authority }, new() { Value = candidate.ExportPem() } },
        };
        if (await insert.ExecuteNonQueryAsync(cancellation) == 1)
        {
            return (candidate, true);
        }

        candidate.Dispose();
        await using var read = new NpgsqlCommand($"SELECT key_pem FROM {schema}.acme_accounts WHERE authority = $1", connection) { Parameters = { new() { Value = _authority } } };
        return (AccountKey.FromPem((string)(await read.ExecuteScalarAsync(cancellation))!), false);
    });

    public Task<AccountRecord?> LoadAccountAsync(CancellationToken cancellation) => Run(async connection =>
    {
        await using var read = new NpgsqlCommand($"SELECT account::text FROM {schema}.acme_accounts WHERE authority = $1", connection) { Parameters = { new() { Value = _authority } } };
        return await read.ExecuteScalarAsync(cancellation) is string json ? JsonSerializer.Deserialize<AccountRecord>(json, AcmeJson.Options) : null;
    });

    public Task SaveAccountAsync(AccountRecord account, CancellationToken cancellation) =>
        SetAccountAsync(JsonSerializer.Serialize(account, AcmeJson.Options), cancellation);

    public Task ForgetAccountAsync(CancellationToken cancellation) => SetAccountAsync(null, cancellation);

    public Task<StoredCertificateResult> LoadCertificateAsync(AcmeCertificateRequest request, CancellationToken cancellation) => Run(async connection =>
    {
        await using var read = new NpgsqlCommand($"SELECT chain_pem, key_pem FROM {schema}.acme_certificates WHERE authority = $1 AND id = $2", connection)
        {
            Parameters = { new() { Value = _authority }, new() { Value = request.Id } },
        };
        await using var reader = await read.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return new StoredCertificateResult(null, null);
        }

        return AcmeStorage.Check(request, reader.GetString(0), reader.GetString(1), $"the certificate {request.Id} in {schema}.acme_certificates");
    });

    public Task SaveCertificateAsync(AcmeCertificateRequest request, string chainPem, string keyPem, CancellationToken cancellation) => Run(async connection =>
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO {schema}.acme_certificates (authority, id, names, chain_pem, key_pem, stored_at) VALUES ($1, $2, $3, $4, $5, now())
                    ON CONFLICT (authority, id) DO UPDATE SET names = excluded.names, chain_pem = excluded.chain_pem, key_pem = excluded.key_pem, stored_at = excluded.stored_at
                    """)
                {
                    Parameters = { new() { Value = _authority }, new() { Value = request.Id }, new() { Value = request.Names.ToArray() }, new() { Value = chainPem }, new() { Value = keyPem } },
                },
                new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresAccessStore.AcmeChannel(schema)}', $1)") { Parameters = { new() { Value = request.Id } } },
            },
        };
        await batch.ExecuteNonQueryAsync(cancellation);
        return true;
    });

    public async Task<IAsyncDisposable?> TryLockOrderingAsync(CancellationToken cancellation)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await store.DataSource.OpenConnectionAsync(cancellation);
            await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({OrderingLock})", connection);
            if ((bool)(await take.ExecuteScalarAsync(cancellation))!)
            {
                var held = new HeldLock(connection);
                connection = null;
                return held;
            }

            return null;
        }
        catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private Task SetAccountAsync(string? json, CancellationToken cancellation) => Run(async connection =>
    {
        await using var update = new NpgsqlCommand($"UPDATE {schema}.acme_accounts SET account = $2::jsonb WHERE authority = $1", connection)
        {
            Parameters = { new() { Value = _authority }, new() { Value = (object?)json ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } },
        };
        await update.ExecuteNonQueryAsync(cancellation);
        return true;
    });

    private async Task<T> Run<T>(Func<NpgsqlConnection, Task<T>> work)
    {
        try
        {
            await using var connection = await store.DataSource.OpenConnectionAsync();
            return await work(connection);
        }
        catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    private static StoreUnavailableException Unavailable(Exception e) =>
        new("The ACME state could not be read or stored: the database is unreachable (" + e.Message + ").", e);

    /// <summary>The ordering lock, held by its connection: released explicitly, or by the server if the connection dies.</summary>
    private sealed class HeldLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({OrderingLock})", connection);
                await release.ExecuteScalarAsync(CancellationToken.None);
            }
            catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
            {
                // The connection is gone, and the server released the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}

/// <summary>With the postgres store, ACME state lives in the database.</summary>
internal sealed class PostgresAcmeStorageFactory(PostgresAccessStore store, string schema) : IAcmeStorageFactory
{
    public IAcmeStorage Open(Uri directory) => new PostgresAcmeStorage(store, schema, directory);
}

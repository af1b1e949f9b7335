using Gateway.Tls.Acme;
using Npgsql;

namespace Gateway.State.Postgres;

/// <summary>
/// Challenges in progress, in <c>acme_challenges</c>, so whichever replica the authority's validation reaches can
/// answer it. Rows expire after ten minutes even if the ordering replica died before removing them.
/// </summary>
internal sealed class PostgresAcmeChallenges(PostgresAccessStore store, string schema) : ISharedAcmeChallenges
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public async Task<IAsyncDisposable> PublishAsync(string kind, string key, string keyAuthorization, CancellationToken cancellation)
    {
        try
        {
            await using var insert = store.DataSource.CreateCommand(
                $"""
                INSERT INTO {schema}.acme_challenges (kind, key, key_authorization, expires_at) VALUES ($1, $2, $3, now() + $4)
                ON CONFLICT (kind, key) DO UPDATE SET key_authorization = excluded.key_authorization, expires_at = excluded.expires_at
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = kind });
            insert.Parameters.Add(new NpgsqlParameter { Value = key });
            insert.Parameters.Add(new NpgsqlParameter { Value = keyAuthorization });
            insert.Parameters.Add(new NpgsqlParameter { Value = Lifetime });
            await insert.ExecuteNonQueryAsync(cancellation);
        }
        catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
        {
            throw new StoreUnavailableException("The ACME challenge could not be shared with the other replicas: the database is unreachable (" + e.Message + ").", e);
        }

        return new Published(this, kind, key, keyAuthorization);
    }

    public async ValueTask<string?> FindAsync(string kind, string key, CancellationToken cancellation)
    {
        try
        {
            await using var read = store.DataSource.CreateCommand($"SELECT key_authorization FROM {schema}.acme_challenges WHERE kind = $1 AND key = $2 AND expires_at > now()");
            read.Parameters.Add(new NpgsqlParameter { Value = kind });
            read.Parameters.Add(new NpgsqlParameter { Value = key });
            return await read.ExecuteScalarAsync(cancellation) as string;
        }
        catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
        {
            return null;
        }
    }

    private async Task RemoveAsync(string kind, string key, string keyAuthorization)
    {
        try
        {
            await using var delete = store.DataSource.CreateCommand($"DELETE FROM {schema}.acme_challenges WHERE kind = $1 AND key = $2 AND key_authorization = $3");
            delete.Parameters.Add(new NpgsqlParameter { Value = kind });
            delete.Parameters.Add(new NpgsqlParameter { Value = key });
            delete.Parameters.Add(new NpgsqlParameter { Value = keyAuthorization });
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (PostgresAccessStore.IsUnavailable(e))
        {
            // It expires on its own.
        }
    }

    private sealed class Published(PostgresAcmeChallenges owner, string kind, string key, string keyAuthorization) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => new(owner.RemoveAsync(kind, key, keyAuthorization));
    }
}

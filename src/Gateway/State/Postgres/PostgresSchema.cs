using Npgsql;

namespace Gateway.State.Postgres;

/// <summary>
/// The gateway's tables, created and migrated at start under an advisory lock (so replicas starting together do
/// not race). Each migration runs once, in order, recorded in <c>schema_version</c>; never edit a released one.
/// </summary>
internal static class PostgresSchema
{
    private const long MigrationLock = 0x6761_7465_7761_7901; // "gateway" + 1

    // The change log is the source of truth: every replica applies it in seq order. log_head hands out seq under a
    // row lock, so seq order is commit order and no reader can skip a change still being committed.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE {0}.log_head (only_row bool PRIMARY KEY DEFAULT true CHECK (only_row), seq bigint NOT NULL);
        INSERT INTO {0}.log_head (seq) VALUES (0);
        CREATE TABLE {0}.changes (seq bigint PRIMARY KEY, at timestamptz NOT NULL, actor text NOT NULL, change jsonb NOT NULL);
        CREATE TABLE {0}.snapshots (seq bigint PRIMARY KEY, saved_at timestamptz NOT NULL, snapshot jsonb NOT NULL);
        CREATE TABLE {0}.redeemed_tokens (hash text PRIMARY KEY, list text NOT NULL, redeemed_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
        CREATE SEQUENCE {0}.id_blocks;
        CREATE TABLE {0}.data_protection_keys (name text PRIMARY KEY, xml text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        """,
        // ACME, shared by the replicas: one account per authority, one certificate per name set, and the challenges
        // in progress (so any replica answers the authority's validation).
        """
        CREATE TABLE {0}.acme_accounts (authority text PRIMARY KEY, key_pem text NOT NULL, account jsonb, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE {0}.acme_certificates (authority text NOT NULL, id text NOT NULL, names text[] NOT NULL, chain_pem text NOT NULL, key_pem text NOT NULL,
            stored_at timestamptz NOT NULL, PRIMARY KEY (authority, id));
        CREATE TABLE {0}.acme_challenges (kind text NOT NULL, key text NOT NULL, key_authorization text NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (kind, key));
        """,
    ];

    public static int Latest => Migrations.Length;

    public static async Task<int> MigrateAsync(NpgsqlDataSource source, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
        try
        {
            await Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE IF NOT EXISTS {schema}.schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
            await using var read = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {schema}.schema_version", connection);
            var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (current > Migrations.Length)
            {
                throw new InvalidOperationException($"The database schema {schema} is at version {current}, newer than this gateway knows ({Migrations.Length}); upgrade the gateway.");
            }

            for (var version = current + 1; version <= Migrations.Length; version++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, string.Format(System.Globalization.CultureInfo.InvariantCulture, Migrations[version - 1], schema), cancellationToken);
                await Execute(connection, $"INSERT INTO {schema}.schema_version (version) VALUES ({version})", cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            return Migrations.Length - current;
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

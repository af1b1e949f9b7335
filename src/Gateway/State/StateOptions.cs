namespace Gateway.State;

/// <summary>
/// <c>Gateway:State</c>: where the access state (runtime list entries, KATs, sessions) is kept. <c>embedded</c> (the
/// default) journals to the state directory; <c>postgres</c> shares it between replicas.
/// </summary>
internal sealed class StateOptions
{
    /// <summary><c>embedded</c> (default), <c>postgres</c>, or <c>memory</c> (nothing survives a restart; tests and demos).</summary>
    public string? Store { get; set; }

    /// <summary>Embedded: <c>interval</c> (default: written before acknowledged, flushed to disk every second) or <c>always</c> (flushed before acknowledged).</summary>
    public string? Fsync { get; set; }

    /// <summary>Embedded: records after which the journal is compacted into a snapshot. Default 10000.</summary>
    public int? CompactAfter { get; set; }

    public PostgresOptions Postgres { get; set; } = new();
}

internal sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string; a password may instead come from <c>PasswordFile</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>A file holding the password (a mounted secret), read at start.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>How long decisions keep using the last state while the database is unreachable; then protected routes refuse. Default 5m.</summary>
    public string? GracePeriod { get; set; }

    /// <summary>Database schema for the gateway's tables. Default <c>gateway</c>.</summary>
    public string? Schema { get; set; }
}

using Gateway.Configuration;

namespace Gateway.State;

internal enum StoreKind
{
    Embedded,
    Postgres,
    Memory,
}

/// <summary>The compiled <c>Gateway:State</c> section. The store is chosen at start; changing it needs a restart.</summary>
internal sealed record StateSettings(StoreKind Kind, bool FsyncAlways, int CompactAfter, string? ConnectionString, TimeSpan GracePeriod, string Schema)
{
    public static readonly StateSettings Default = new(StoreKind.Embedded, false, 10_000, null, TimeSpan.FromMinutes(5), "gateway");

    public static StateSettings Compile(StateOptions options, ConfigErrors errors)
    {
        const string key = "Gateway:State";
        var kind = (options.Store ?? "embedded").Trim().ToLowerInvariant() switch
        {
            "embedded" => StoreKind.Embedded,
            "postgres" or "postgresql" => StoreKind.Postgres,
            "memory" => StoreKind.Memory,
            _ => (StoreKind?)null,
        };
        if (kind is null)
        {
            errors.Add(key + ":Store", $"'{options.Store}' is not a store; use embedded, postgres or memory.");
            return Default;
        }

        var fsync = (options.Fsync ?? "interval").Trim().ToLowerInvariant();
        if (fsync is not ("interval" or "always"))
        {
            errors.Add(key + ":Fsync", $"'{options.Fsync}' is not a flush policy; use interval or always.");
        }

        if (options.CompactAfter is < 100)
        {
            errors.Add(key + ":CompactAfter", $"{options.CompactAfter} is too small; compact after 100 records or more.");
        }

        var grace = Duration.Parse(options.Postgres.GracePeriod, TimeSpan.FromMinutes(5), key + ":Postgres:GracePeriod", errors, TimeSpan.Zero);
        var schema = options.Postgres.Schema ?? "gateway";
        if (schema.Length is 0 or > 63 || !schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') || char.IsAsciiDigit(schema[0]))
        {
            errors.Add(key + ":Postgres:Schema", $"'{schema}' is not a schema name (lower-case letters, digits and '_').");
        }

        string? connection = null;
        if (kind == StoreKind.Postgres)
        {
            connection = CompileConnection(options.Postgres, key + ":Postgres", errors);
        }

        return new StateSettings(kind.Value, fsync == "always", options.CompactAfter ?? 10_000, connection, grace, schema);
    }

    private static string? CompileConnection(PostgresOptions options, string key, ConfigErrors errors)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            errors.Add(key + ":ConnectionString", "is required for the postgres store, like \"Host=db;Database=gateway;Username=gateway\".");
            return null;
        }

        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (options.PasswordFile is { } file)
            {
                builder.Password = File.ReadAllText(file).Trim();
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException e)
        {
            errors.Add(key + ":ConnectionString", $"is not a valid connection string: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(key + ":PasswordFile", $"'{options.PasswordFile}' cannot be read: {e.Message}");
        }

        return null;
    }
}

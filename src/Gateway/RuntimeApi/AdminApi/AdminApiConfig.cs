using System.Collections.Immutable;
using Gateway.Configuration;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>The compiled <c>Gateway:AdminApi</c> section.</summary>
internal sealed record AdminApiConfig
{
    public static readonly AdminApiConfig Empty = new() { Keys = [] };

    public required ImmutableArray<ApiKeyDefinition> Keys { get; init; }
}

/// <summary>An API key: its name, the SHA-256 of the key, and what it may do.</summary>
internal sealed record ApiKeyDefinition(string Name, ImmutableArray<byte> Hash, CliLevel Level);

internal static class AdminApiCompiler
{
    private const string Key = "Gateway:AdminApi:Keys";

    public static AdminApiConfig Compile(AdminApiOptions options, ConfigErrors errors)
    {
        var keys = ImmutableArray.CreateBuilder<ApiKeyDefinition>();
        foreach (var (name, key) in options.Keys.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            var path = $"{Key}:{name}";
            var level = RuntimeApiCompiler.ParseLevel(key.Level, CliLevel.Admin, path + ":Level", errors);
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add(path, $"'{name}' is not a key name (letters, digits, '-', '_' and '.'); audit lines show it as api:<name>.");
            }

            if (key.Hash is null)
            {
                errors.Add(path + ":Hash", "is required: run `gateway hash-key` and paste the sha256:... line it prints (the key itself is never stored).");
            }
            else if (!ApiKeys.TryParseHash(key.Hash, out var hash))
            {
                errors.Add(path + ":Hash", "is not a key hash; it must be sha256: and 64 hex digits, as `gateway hash-key` prints it.");
            }
            else
            {
                keys.Add(new ApiKeyDefinition(name, hash, level));
            }
        }

        return new AdminApiConfig { Keys = keys.ToImmutable() };
    }
}

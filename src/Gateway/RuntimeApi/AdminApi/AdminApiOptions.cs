namespace Gateway.RuntimeApi.AdminApi;

/// <summary>The <c>Gateway:AdminApi</c> section: the JSON admin API on the management listener, under <c>/api/v1</c>.</summary>
internal sealed class AdminApiOptions
{
    /// <summary>Bearer keys by name (the name is what audit lines show, as <c>api:&lt;name&gt;</c>). No keys: the API refuses every call.</summary>
    public Dictionary<string, AdminApiKeyOptions> Keys { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class AdminApiKeyOptions
{
    /// <summary>The key's SHA-256 as <c>gateway hash-key</c> prints it: <c>sha256:</c> and 64 hex digits. The key itself is never stored.</summary>
    public string? Hash { get; set; }

    /// <summary><c>user</c> (read only), <c>operator</c> (lists, tokens, sessions) or <c>admin</c> (also destinations). Default <c>admin</c>.</summary>
    public string? Level { get; set; }
}

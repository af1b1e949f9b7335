namespace Gateway.Observability;

/// <summary>
/// <c>Gateway:AccessLog</c>: one line per request (and per TCP connection), like HAProxy's <c>option httplog</c>.
/// Standard output unless <see cref="Path"/> names a file, which is then rotated by size.
/// </summary>
internal sealed class AccessLogOptions
{
    /// <summary>Default true.</summary>
    public bool? Enabled { get; set; }

    /// <summary><c>text</c> (HAProxy-httplog-like, the default) or <c>json</c> (one object per line).</summary>
    public string? Format { get; set; }

    /// <summary>A file to write to; absent, <c>-</c> or <c>stdout</c> means standard output.</summary>
    public string? Path { get; set; }

    /// <summary>Rotate the file when it would grow past this size (default 100MB).</summary>
    public string? MaxSize { get; set; }

    /// <summary>Rotated files kept beside the current one: <c>access.log.1</c> ... (default 10).</summary>
    public int? MaxFiles { get; set; }

    /// <summary>Lines waiting to be written; beyond this, lines are dropped and counted rather than slowing requests.</summary>
    public int? QueueSize { get; set; }
}

internal enum AccessLogFormat
{
    Text,
    Json,
}

/// <summary>The validated access-log settings. <see cref="Path"/> is null for standard output.</summary>
internal sealed record AccessLogSettings(bool Enabled, AccessLogFormat Format, string? Path, long MaxSize, int MaxFiles, int QueueSize)
{
    public static AccessLogSettings Default { get; } = new(true, AccessLogFormat.Text, null, 100L << 20, 10, 16384);
}

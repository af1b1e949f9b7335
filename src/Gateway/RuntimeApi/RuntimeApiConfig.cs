using System.Net;

namespace Gateway.RuntimeApi;

/// <summary>What a runtime API session may do, in HAProxy's three levels; each includes the ones below.</summary>
internal enum CliLevel
{
    /// <summary>Read what is not secret; change nothing.</summary>
    User = 1,

    /// <summary>Also change lists and maps (allowlist entries, KATs) and read tokens.</summary>
    Operator = 2,

    /// <summary>Everything, including taking servers in and out.</summary>
    Admin = 3,
}

/// <summary>The compiled <c>Gateway:RuntimeApi</c> section.</summary>
internal sealed record RuntimeApiConfig
{
    public static readonly RuntimeApiConfig Disabled = new() { Timeout = TimeSpan.FromSeconds(10), MaxConnections = 100 };

    public UnixSocketDefinition? Socket { get; init; }

    public TcpSocketDefinition? Tcp { get; init; }

    public required TimeSpan Timeout { get; init; }

    public required int MaxConnections { get; init; }
}

/// <summary>The Unix socket: path, file mode, owner (null: leave as created) and level.</summary>
internal sealed record UnixSocketDefinition(string Path, UnixFileMode Mode, int? Uid, int? Gid, CliLevel Level)
{
    /// <summary>How audit lines name this socket: <c>socket:admin.sock</c>.</summary>
    public string Actor => "socket:" + System.IO.Path.GetFileName(Path);
}

internal sealed record TcpSocketDefinition(IPEndPoint EndPoint, CliLevel Level)
{
    public bool IsLoopback => IPAddress.IsLoopback(EndPoint.Address);
}

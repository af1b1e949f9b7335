namespace Gateway.RuntimeApi;

/// <summary>
/// The <c>Gateway:RuntimeApi</c> section: HAProxy's <c>stats socket</c> lines. A Unix socket (on by default, in the
/// state directory) and optionally a TCP socket, each with an access level.
/// </summary>
internal sealed class RuntimeApiOptions
{
    /// <summary>HAProxy's <c>stats socket /run/haproxy/admin.sock mode 600 level admin user haproxy group haproxy</c>.</summary>
    public RuntimeApiSocketOptions Socket { get; set; } = new();

    /// <summary>HAProxy's <c>stats socket ipv4@127.0.0.1:9999 level operator</c>. Off unless a port is set.</summary>
    public RuntimeApiTcpOptions Tcp { get; set; } = new();

    /// <summary>HAProxy's <c>stats timeout</c>: an idle connection (or one that does not read its replies) is closed. Default 10s.</summary>
    public string? Timeout { get; set; }

    /// <summary>HAProxy's <c>stats maxconn</c>: connections served at once per socket; more wait to be accepted. Default 100.</summary>
    public int? MaxConnections { get; set; }
}

internal sealed class RuntimeApiSocketOptions
{
    /// <summary>Default true.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The socket file; relative paths are under the state directory. Default <c>admin.sock</c>.</summary>
    public string? Path { get; set; }

    /// <summary>Octal file mode, like <c>660</c>. Default <c>600</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>Owner of the socket file: a user name or a numeric uid. Default: the gateway's own user.</summary>
    public string? User { get; set; }

    /// <summary>Group of the socket file: a group name or a numeric gid. Default: the gateway's own group.</summary>
    public string? Group { get; set; }

    /// <summary><c>user</c>, <c>operator</c> or <c>admin</c>. Default <c>admin</c> (the file mode is the access control).</summary>
    public string? Level { get; set; }
}

internal sealed class RuntimeApiTcpOptions
{
    /// <summary>An IP address. Default <c>127.0.0.1</c>; anything beyond loopback is logged as a warning at start.</summary>
    public string? Address { get; set; }

    /// <summary>The TCP port; the TCP socket is off while this is unset. <c>0</c> picks a free port.</summary>
    public int? Port { get; set; }

    /// <summary><c>user</c>, <c>operator</c> or <c>admin</c>. Default <c>operator</c>: lists and maps, not servers.</summary>
    public string? Level { get; set; }
}

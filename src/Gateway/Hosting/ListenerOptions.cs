namespace Gateway.Hosting;

/// <summary>One listener (HAProxy's <c>bind</c> line of a frontend).</summary>
internal sealed class ListenerOptions
{
    /// <summary>An IP address, <c>*</c> for every address, or <c>localhost</c>. Default <c>*</c>.</summary>
    public string? Address { get; set; }

    public int? Port { get; set; }

    /// <summary>
    /// <c>http</c> (HTTP/1.1, the default), <c>h2c</c> (cleartext HTTP/2 with prior knowledge, HAProxy's
    /// <c>proto h2</c>), <c>https</c> (TLS with ALPN h2 and http/1.1; certificates from <c>Gateway:Tls</c>; SNI
    /// passthrough routes from <c>Gateway:Tcp</c>) or <c>tcp</c> (bytes forwarded by <c>Gateway:Tcp</c> routes).
    /// </summary>
    public string? Protocol { get; set; }

    /// <summary>HAProxy's <c>accept-proxy</c>: every connection starts with a PROXY protocol header (v1 or v2).</summary>
    public bool? AcceptProxy { get; set; }

    /// <summary>On https listeners, what bytes that are not TLS get: <c>refuse</c> (default) or <c>http</c>.</summary>
    public string? NonTls { get; set; }
}

/// <summary>The management listener. Loopback only unless the operator says otherwise.</summary>
internal sealed class ManagementOptions
{
    public string? Address { get; set; }

    public int? Port { get; set; }
}

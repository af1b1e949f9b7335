namespace Gateway.Hosting;

/// <summary>One listener (HAProxy's <c>bind</c> line of a frontend).</summary>
internal sealed class ListenerOptions
{
    /// <summary>An IP address, <c>*</c> for every address, or <c>localhost</c>. Default <c>*</c>.</summary>
    public string? Address { get; set; }

    public int? Port { get; set; }

    /// <summary>
    /// <c>http</c> (HTTP/1.1, the default), <c>h2c</c> (cleartext HTTP/2 with prior knowledge, HAProxy's
    /// <c>proto h2</c>) or <c>https</c> (TLS with ALPN h2 and http/1.1; certificates from <c>Gateway:Tls</c>).
    /// </summary>
    public string? Protocol { get; set; }
}

/// <summary>The management listener. Loopback only unless the operator says otherwise.</summary>
internal sealed class ManagementOptions
{
    public string? Address { get; set; }

    public int? Port { get; set; }
}

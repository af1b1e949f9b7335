using System.Net;

namespace Gateway.Tcp.ProxyProtocol;

/// <summary>What a look at the first bytes of a connection found.</summary>
internal enum ProxyHeaderStatus
{
    /// <summary>Not enough bytes yet to decide.</summary>
    Incomplete,

    /// <summary>A complete, well-formed header.</summary>
    Valid,

    /// <summary>It starts as a PROXY header but breaks the format (or is too long).</summary>
    Invalid,

    /// <summary>The bytes are no PROXY header at all.</summary>
    NotProxy,
}

/// <summary>
/// A PROXY protocol header (v1 or v2). <see cref="Source"/> and <see cref="Destination"/> are the client and the
/// address it connected to, as the sending proxy saw them; both null for a LOCAL (v2) or UNKNOWN (v1) header, which
/// speaks for the proxy itself (its health checks), and for address families other than TCP over IPv4/IPv6.
/// </summary>
internal sealed record ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination)
{
    /// <summary>PP2_TYPE_AUTHORITY: the host name the client asked for (usually its SNI).</summary>
    public string? Authority { get; init; }

    /// <summary>PP2_TYPE_ALPN: the application protocol negotiated with the client.</summary>
    public string? Alpn { get; init; }

    /// <summary>PP2_TYPE_SSL is present with PP2_CLIENT_SSL: the client spoke TLS.</summary>
    public bool Ssl { get; init; }

    /// <summary>PP2_SUBTYPE_SSL_VERSION, such as <c>TLSv1.3</c>.</summary>
    public string? SslVersion { get; init; }

    /// <summary>PP2_SUBTYPE_SSL_CN: the common name of the client certificate.</summary>
    public string? SslCommonName { get; init; }

    /// <summary>PP2_TYPE_UNIQUE_ID: the sending proxy's id of the connection.</summary>
    public byte[]? UniqueId { get; init; }

    /// <summary>The header carried a PP2_TYPE_CRC32C that matched.</summary>
    public bool ChecksumVerified { get; init; }

    /// <summary>True when the header names a client (not LOCAL or UNKNOWN).</summary>
    public bool HasAddresses => Source is not null;
}

/// <summary>The TLV type codes of the PROXY protocol v2 (section 2.2 of the specification).</summary>
internal static class ProxyTlv
{
    public const byte Alpn = 0x01;
    public const byte Authority = 0x02;
    public const byte Crc32C = 0x03;
    public const byte Noop = 0x04;
    public const byte UniqueId = 0x05;
    public const byte Ssl = 0x20;
    public const byte SslVersion = 0x21;
    public const byte SslCommonName = 0x22;
    public const byte SslCipher = 0x23;
    public const byte SslSignatureAlgorithm = 0x24;
    public const byte SslKeyAlgorithm = 0x25;
    public const byte NetNamespace = 0x30;

    /// <summary>PP2_CLIENT_SSL in the client field of the SSL TLV.</summary>
    public const byte ClientSsl = 0x01;
}

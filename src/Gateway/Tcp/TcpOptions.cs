namespace Gateway.Tcp;

/// <summary>
/// <c>Gateway:Tcp</c>: layer-4 routes and clusters. HAProxy writes the same as <c>mode tcp</c> frontends with
/// <c>use_backend ... if { req_ssl_sni ... }</c> and <c>mode tcp</c> backends.
/// </summary>
internal sealed class TcpOptions
{
    /// <summary>
    /// HAProxy's <c>tcp-request inspect-delay</c>: the longest wait for a PROXY protocol header, and for the
    /// ClientHello on tcp listeners that route by SNI. Default 5s.
    /// </summary>
    public string? InspectDelay { get; set; }

    /// <summary>Which connections go to which TCP cluster, keyed by route id.</summary>
    public Dictionary<string, TcpRouteOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HAProxy's <c>mode tcp</c> backends, keyed by cluster id.</summary>
    public Dictionary<string, TcpClusterOptions> Clusters { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>One TCP route: connections on some listeners (with some SNI names) go to a TCP cluster.</summary>
internal sealed class TcpRouteOptions
{
    /// <summary>Names of <c>tcp</c> or <c>https</c> listeners. Required.</summary>
    public List<string> Listeners { get; set; } = [];

    /// <summary>
    /// Server names of the ClientHello: <c>a.example.com</c> (exactly), <c>*.example.com</c> (one label more),
    /// <c>.kube.example.com</c> (any name ending so, HAProxy's <c>req_ssl_sni -m end</c>). Empty: every connection
    /// of a tcp listener that no SNI route takes. Required on https listeners, where the rest is terminated.
    /// </summary>
    public List<string> Sni { get; set; } = [];

    /// <summary>The TCP cluster the bytes go to. Required.</summary>
    public string? Cluster { get; set; }

    /// <summary>The IP allowlist the client must be on (cookies do not exist at layer 4).</summary>
    public TcpRouteAccessOptions Access { get; set; } = new();
}

/// <summary>A TCP route's access policy.</summary>
internal sealed class TcpRouteAccessOptions
{
    /// <summary><c>none</c> or <c>ip</c> (the default once a list is named).</summary>
    public string? Policy { get; set; }

    /// <summary>The access list (by name, under <c>Gateway:Access:Lists</c>).</summary>
    public string? List { get; set; }

    public TcpRejectOptions Reject { get; set; } = new();
}

/// <summary>What a refused connection gets.</summary>
internal sealed class TcpRejectOptions
{
    /// <summary><c>close</c> (default) or <c>fallback</c> (its bytes go to <see cref="Cluster"/>, an existing HAProxy).</summary>
    public string? Action { get; set; }

    /// <summary>For <c>fallback</c>: a TCP cluster.</summary>
    public string? Cluster { get; set; }
}

/// <summary>A TCP cluster (HAProxy's <c>backend</c> in <c>mode tcp</c>).</summary>
internal sealed class TcpClusterOptions
{
    /// <summary>HAProxy's <c>server</c> lines, keyed by server name.</summary>
    public Dictionary<string, TcpDestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>roundrobin</c> (default) or <c>leastconn</c>.</summary>
    public string? LoadBalancing { get; set; }

    public TcpHealthCheckOptions HealthCheck { get; set; } = new();

    public TcpTimeoutOptions Timeouts { get; set; } = new();

    /// <summary>HAProxy's per-server <c>maxconn</c>; a connection finding every destination full is closed.</summary>
    public int? MaxConnectionsPerDestination { get; set; }

    /// <summary>HAProxy's <c>send-proxy</c> (<c>v1</c>) or <c>send-proxy-v2</c> (<c>v2</c>); default <c>none</c>.</summary>
    public string? SendProxy { get; set; }
}

internal sealed class TcpDestinationOptions
{
    /// <summary><c>host:port</c>: <c>10.0.0.5:22</c>, <c>[2001:db8::5]:22</c> or <c>git.internal:22</c>.</summary>
    public string? Address { get; set; }
}

/// <summary>HAProxy's <c>check inter 2s fall 3 rise 2</c> in <c>mode tcp</c>: a TCP connect is the probe.</summary>
internal sealed class TcpHealthCheckOptions
{
    public bool? Enabled { get; set; }

    public string? Interval { get; set; }

    public string? Timeout { get; set; }

    /// <summary>Failed probes in a row before a destination is taken out.</summary>
    public int? Fall { get; set; }

    /// <summary>Successful probes in a row before it is put back.</summary>
    public int? Rise { get; set; }
}

/// <summary>HAProxy's <c>timeout connect</c> and <c>timeout tunnel</c>.</summary>
internal sealed class TcpTimeoutOptions
{
    public string? Connect { get; set; }

    /// <summary>A connection with no bytes in either direction for this long is closed.</summary>
    public string? Idle { get; set; }
}

namespace Gateway.Routing;

/// <summary>One cluster: HAProxy's <c>backend</c>, a set of destinations (servers) and how to reach them.</summary>
internal sealed class ClusterOptions
{
    /// <summary>HAProxy's <c>server</c> lines, keyed by server name.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>HAProxy's <c>balance</c>: roundrobin (default), leastconn, random, first, or power-of-two.</summary>
    public string? LoadBalancing { get; set; }

    public HealthCheckOptions HealthCheck { get; set; } = new();

    public TimeoutOptions Timeouts { get; set; } = new();

    /// <summary>HAProxy's per-server <c>maxconn</c>: further requests wait for a free connection.</summary>
    public int? MaxConnectionsPerDestination { get; set; }

    public DestinationTlsOptions Tls { get; set; } = new();

    /// <summary>Sticky sessions (HAProxy's <c>cookie SERVERID insert</c>).</summary>
    public AffinityOptions Affinity { get; set; } = new();

    /// <summary>The Host header to send instead of the client's (HAProxy: <c>http-request set-header Host</c>).</summary>
    public string? Host { get; set; }
}

/// <summary>One destination (HAProxy's <c>server</c>).</summary>
internal sealed class DestinationOptions
{
    /// <summary>An absolute URL: <c>http://10.0.0.5:8080</c> or <c>https://confluence.internal</c>.</summary>
    public string? Address { get; set; }

    /// <summary>A separate address for active health checks, when the probe goes elsewhere.</summary>
    public string? Health { get; set; }
}

internal sealed class HealthCheckOptions
{
    public ActiveHealthCheckOptions Active { get; set; } = new();

    public PassiveHealthCheckOptions Passive { get; set; } = new();
}

/// <summary>HAProxy's <c>check</c> with <c>inter</c>, <c>fall</c> and <c>option httpchk GET /path</c>.</summary>
internal sealed class ActiveHealthCheckOptions
{
    public bool? Enabled { get; set; }

    public string? Interval { get; set; }

    public string? Timeout { get; set; }

    /// <summary>Path probed with GET; any 2xx answer counts as healthy.</summary>
    public string? Path { get; set; }

    /// <summary>Consecutive failed probes before the destination is taken out (HAProxy's <c>fall</c>).</summary>
    public int? Fall { get; set; }
}

/// <summary>HAProxy's <c>observe layer7</c>: real traffic failures take a destination out for a while.</summary>
internal sealed class PassiveHealthCheckOptions
{
    public bool? Enabled { get; set; }

    public string? ReactivationPeriod { get; set; }
}

/// <summary>HAProxy's <c>timeout connect</c> and <c>timeout server</c>.</summary>
internal sealed class TimeoutOptions
{
    public string? Connect { get; set; }

    /// <summary>Longest silence from the destination before the request fails with 504.</summary>
    public string? Server { get; set; }
}

/// <summary>TLS to the destinations: HAProxy's <c>ssl verify required|none</c>, <c>ca-file</c> and <c>sni</c>.</summary>
internal sealed class DestinationTlsOptions
{
    /// <summary>Verify the destination's certificate (default true). False is HAProxy's <c>ssl verify none</c>.</summary>
    public bool? Verify { get; set; }

    /// <summary>PEM file with the CA certificates to trust instead of the system store.</summary>
    public string? CaFile { get; set; }

    /// <summary>The server name to send in the TLS handshake (and verify against); default: the Host sent.</summary>
    public string? Sni { get; set; }
}

/// <summary>Session affinity: keep a client on the destination it first reached.</summary>
internal sealed class AffinityOptions
{
    /// <summary><c>Cookie</c> (default when enabled) or <c>CustomHeader</c>.</summary>
    public string? Policy { get; set; }

    /// <summary>The cookie or header that carries the affinity key.</summary>
    public string? Name { get; set; }
}

using System.Net;

namespace Gateway.Hosting;

/// <summary>What a listener serves; requests are only matched to endpoints of their own listener's kind.</summary>
internal enum ListenerKind
{
    /// <summary>Public traffic: routes and the fallback.</summary>
    Public,

    /// <summary>Health, readiness and (later) metrics and the admin API; never the routes.</summary>
    Management,

    /// <summary>The built-in whoami upstream of the embedded default.</summary>
    Demo,
}

/// <summary>What an https listener does with a connection whose first bytes are not TLS.</summary>
internal enum NonTlsAction
{
    /// <summary>Close it.</summary>
    Refuse,

    /// <summary>Serve it as plain HTTP/1.1 (a common setup tells http from tls on port 443).</summary>
    Http,
}

/// <summary>A validated listener. <see cref="Address"/> is null for "every address".</summary>
internal sealed record ListenerDefinition(string Name, ListenerKind Kind, string Protocol, IPAddress? Address, bool Localhost, int Port)
{
    public const string ManagementName = "management";
    public const string DemoName = "demo-upstream";

    /// <summary>Connections must start with a PROXY protocol header, from a trusted network.</summary>
    public bool AcceptProxy { get; init; }

    /// <summary>On https listeners: what non-TLS bytes get.</summary>
    public NonTlsAction NonTls { get; init; }

    /// <summary>Null, 0.0.0.0 or ::, which overlap every other address on the same port.</summary>
    public bool IsWildcard => !Localhost && (Address is null || Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any));

    public string Display => $"{(Localhost ? "localhost" : Address is null ? "*" : Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}";

    /// <summary>True when both would claim the same port on an overlapping address.</summary>
    public bool ClashesWith(ListenerDefinition other)
    {
        if (Port != other.Port || Port == 0)
        {
            return false;
        }

        if (IsWildcard || other.IsWildcard || Localhost || other.Localhost)
        {
            return true;
        }

        return Equals(Address, other.Address);
    }
}

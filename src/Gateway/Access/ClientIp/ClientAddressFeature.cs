using System.Net;
using Gateway.Access.Lists;

namespace Gateway.Access;

/// <summary>
/// The socket peer and the client it speaks for, kept apart: they differ only behind a trusted proxy (or a PROXY
/// protocol header). Set once per connection for direct clients, so most requests allocate nothing here.
/// </summary>
internal sealed class ClientAddressFeature
{
    private ClientAddressFeature(IPAddress peer, IPAddress client, bool viaTrustedProxy)
    {
        Peer = peer;
        Client = client;
        ClientKey = IpKey.From(client);
        ClientText = client.ToString();
        ViaTrustedProxy = viaTrustedProxy;
    }

    /// <summary>The address of the socket's other end (IPv4-mapped IPv6 shown as IPv4).</summary>
    public IPAddress Peer { get; }

    /// <summary>The client IP the access policy checks.</summary>
    public IPAddress Client { get; }

    public IpKey ClientKey { get; }

    public string ClientText { get; }

    /// <summary>True when the client came from a trusted proxy's forwarding header.</summary>
    public bool ViaTrustedProxy { get; }

    public static ClientAddressFeature Direct(IPAddress? peer)
    {
        var address = Normalize(peer ?? IPAddress.IPv6None);
        return new ClientAddressFeature(address, address, false);
    }

    public static ClientAddressFeature Forwarded(IPAddress peer, IPAddress client) =>
        new(Normalize(peer), Normalize(client), true);

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

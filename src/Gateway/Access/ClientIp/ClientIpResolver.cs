using System.Net;
using Microsoft.Extensions.Primitives;

namespace Gateway.Access;

/// <summary>
/// Finds the client behind trusted proxies: walks <c>X-Forwarded-For</c> (or RFC 7239 <c>Forwarded</c>) from the
/// right, skipping hops inside the trusted networks, and stops at the first untrusted hop, which is the client.
/// Nothing a client sends is believed unless the socket peer is itself trusted.
/// </summary>
internal static class ClientIpResolver
{
    public static bool IsTrusted(IPAddress address, AccessConfig config)
    {
        foreach (var network in config.TrustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The client for a request whose socket peer is trusted; the peer itself when the headers say nothing usable.</summary>
    public static IPAddress Resolve(IPAddress peer, IHeaderDictionary headers, AccessConfig config)
    {
        var hops = new List<IPAddress>();
        if (config.ForwardedHeader == ForwardedHeaderMode.Forwarded ||
            (config.ForwardedHeader == ForwardedHeaderMode.Both && headers.ContainsKey("Forwarded")))
        {
            ReadForwarded(headers["Forwarded"], hops);
        }
        else
        {
            ReadXForwardedFor(headers["X-Forwarded-For"], hops);
        }

        var current = peer;
        for (var i = hops.Count - 1; i >= 0; i--)
        {
            if (!IsTrusted(current, config))
            {
                return current;
            }

            current = hops[i];
        }

        // Every hop was trusted: the leftmost is the best knowledge there is.
        return current;
    }

    private static void ReadXForwardedFor(StringValues values, List<IPAddress> hops)
    {
        foreach (var value in values)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryParseHop(part, out var address))
                {
                    // Everything left of garbage is unusable; keep only what follows it.
                    hops.Clear();
                    continue;
                }

                hops.Add(address);
            }
        }
    }

    private static void ReadForwarded(StringValues values, List<IPAddress> hops)
    {
        foreach (var value in values)
        {
            foreach (var element in (value ?? string.Empty).Split(','))
            {
                foreach (var pair in element.Split(';', StringSplitOptions.TrimEntries))
                {
                    if (pair.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
                    {
                        if (TryParseHop(pair[4..].Trim('"'), out var address))
                        {
                            hops.Add(address);
                        }
                        else
                        {
                            hops.Clear();
                        }
                    }
                }
            }
        }
    }

    /// <summary>Parses <c>203.0.113.7</c>, <c>203.0.113.7:4711</c>, <c>2001:db8::1</c> or <c>[2001:db8::1]:4711</c>.</summary>
    internal static bool TryParseHop(string text, out IPAddress address)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            return IPAddress.TryParse(close > 0 ? text.AsSpan(1, close - 1) : ReadOnlySpan<char>.Empty, out address!);
        }

        if (IPAddress.TryParse(text, out address!))
        {
            return true;
        }

        var colon = text.LastIndexOf(':');
        return colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon && IPAddress.TryParse(text.AsSpan(0, colon), out address!);
    }
}

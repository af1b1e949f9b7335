using System.Net;
using System.Net.Sockets;

namespace Gateway.Access.Lists;

/// <summary>
/// One allowlist pattern: an address (IPv4 or IPv6) or a CIDR prefix, parsed once. <see cref="Length"/> is in the
/// 128-bit key space (an IPv4 /24 is 120). Host bits after the prefix are cleared, as HAProxy does.
/// </summary>
internal readonly record struct IpPattern(IpKey Key, int Length)
{
    public bool Matches(IpKey address) => address.Mask(Length) == Key;

    /// <summary>Parses <c>203.0.113.7</c>, <c>10.0.0.0/8</c>, <c>10.0.0.0/255.0.0.0</c>, <c>2001:db8::/32</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpPattern pattern)
    {
        pattern = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.IsEmpty || (!addressText.Contains(':') && !IsDottedQuad(addressText)) ||
            !IPAddress.TryParse(addressText, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return false;
        }

        // The prefix length counts in the family the address was written in: ::ffff:10.0.0.0/104 is IPv6 text for an
        // IPv4-mapped range, so its length is already in the 128-bit key space.
        var key = IpKey.From(address);
        var v4Text = address.AddressFamily == AddressFamily.InterNetwork;
        var maxLength = v4Text ? 32 : 128;
        var length = maxLength;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (!TryPrefixLength(lengthText, v4Text, out length) || length > maxLength)
            {
                return false;
            }
        }

        var keyLength = v4Text ? length + IpKey.V4Offset : length;
        pattern = new IpPattern(key.Mask(keyLength), keyLength);
        return true;
    }

    // IPAddress.TryParse also takes "10.1", "0x7f.1" and other inet_aton forms; an allowlist wants exactly a.b.c.d.
    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    private static bool TryPrefixLength(ReadOnlySpan<char> text, bool v4, out int length)
    {
        length = 0;
        if (text.Length is > 0 and <= 3 && int.TryParse(text, System.Globalization.NumberStyles.None, null, out length))
        {
            return true;
        }

        // A dotted netmask, IPv4 only, contiguous ones.
        if (v4 && IPAddress.TryParse(text, out var mask) && mask.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            mask.TryWriteBytes(bytes, out _);
            var bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
            length = System.Numerics.BitOperations.PopCount(bits);
            return bits == (length == 0 ? 0 : uint.MaxValue << (32 - length));
        }

        return false;
    }
}

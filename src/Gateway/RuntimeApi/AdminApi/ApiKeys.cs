using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>
/// Admin API keys: 256 random bits, shown once; configuration keeps only their SHA-256 (a high-entropy key needs no slow
/// hash). A presented key is hashed and compared with every configured hash in constant time.
/// </summary>
internal static class ApiKeys
{
    public const string HashPrefix = "sha256:";
    public const string KeyPrefix = "gwk_";

    public static string NewKey()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return KeyPrefix + Base64Url.EncodeToString(bytes);
    }

    public static string HashOf(string key) => HashPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool TryParseHash(string text, out ImmutableArray<byte> hash)
    {
        hash = default;
        var trimmed = text.Trim();
        if (!trimmed.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase) || trimmed.Length != HashPrefix.Length + 64)
        {
            return false;
        }

        try
        {
            hash = [.. Convert.FromHexString(trimmed.AsSpan(HashPrefix.Length))];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The key whose hash matches, comparing against all of them so that timing says nothing about which.</summary>
    public static ApiKeyDefinition? Find(ReadOnlySpan<char> presented, ImmutableArray<ApiKeyDefinition> keys)
    {
        Span<byte> hash = stackalloc byte[32];
        var buffer = presented.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(presented.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(presented.Length)];
        SHA256.HashData(buffer[..Encoding.UTF8.GetBytes(presented, buffer)], hash);
        ApiKeyDefinition? found = null;
        foreach (var key in keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash.AsSpan()) && found is null)
            {
                found = key;
            }
        }

        return found;
    }
}

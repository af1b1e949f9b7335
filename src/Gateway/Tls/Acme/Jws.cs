using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Tls.Acme;

/// <summary>JWS in flattened JSON serialization as RFC 8555 6.2 wants it.</summary>
internal static class Jws
{
    /// <summary>
    /// Signs <paramref name="payload"/> for <paramref name="url"/>. With <paramref name="kid"/> (the account URL) the
    /// header names the account; without, it carries the public key (newAccount only). A null payload is a
    /// POST-as-GET: the payload is the empty string.
    /// </summary>
    public static byte[] Sign(AccountKey key, Uri url, string? nonce, string? kid, byte[]? payload)
    {
        var header = Json(writer =>
        {
            writer.WriteString("alg", "ES256");
            if (kid is null)
            {
                writer.WritePropertyName("jwk");
                writer.WriteRawValue(key.Jwk);
            }
            else
            {
                writer.WriteString("kid", kid);
            }

            if (nonce is not null)
            {
                writer.WriteString("nonce", nonce);
            }

            writer.WriteString("url", url.AbsoluteUri);
        });
        return Flattened(header, payload, input => key.Sign(input));
    }

    /// <summary>
    /// RFC 8555 7.3.4: the external account binding, an HS256 JWS over the account's public JWK, signed with the MAC
    /// key the authority handed out, naming its key id and the newAccount URL.
    /// </summary>
    public static byte[] ExternalAccountBinding(ExternalAccountBinding binding, AccountKey key, Uri newAccount)
    {
        var header = Json(writer =>
        {
            writer.WriteString("alg", "HS256");
            writer.WriteString("kid", binding.KeyId);
            writer.WriteString("url", newAccount.AbsoluteUri);
        });
        return Flattened(header, Encoding.UTF8.GetBytes(key.Jwk), input => HMACSHA256.HashData(binding.HmacKey.AsSpan(), input));
    }

    private static byte[] Flattened(byte[] header, byte[]? payload, Func<byte[], byte[]> sign)
    {
        var protectedPart = Base64Url.EncodeToString(header);
        var payloadPart = payload is null ? string.Empty : Base64Url.EncodeToString(payload);
        var signature = sign(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart));
        return Json(writer =>
        {
            writer.WriteString("protected", protectedPart);
            writer.WriteString("payload", payloadPart);
            writer.WriteString("signature", Base64Url.EncodeToString(signature));
        });
    }

    private static byte[] Json(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

using System.Collections.Immutable;
using System.Text.Json;

namespace Gateway.Knock;

/// <summary>
/// A signed-in user as the portal knows them: the name grants, sessions and audit lines carry, the e-mail and the
/// groups, read from the id_token's configured claims.
/// </summary>
internal sealed record PortalUser(string Name, string? Email, ImmutableArray<string> Groups)
{
    private const int MaxGroups = 256;
    private const int MaxLength = 256;

    /// <summary>Reads the user from validated id_token claims; null when the token names no usable user.</summary>
    public static PortalUser? FromClaims(JsonElement claims, OidcSettings settings)
    {
        var name = Clean(Find(claims, settings.UserClaim) is { ValueKind: JsonValueKind.String } user ? user.GetString() : null)
            ?? Clean(Find(claims, "sub") is { ValueKind: JsonValueKind.String } sub ? sub.GetString() : null);
        if (name is null)
        {
            return null;
        }

        var email = Find(claims, settings.EmailClaim) is { ValueKind: JsonValueKind.String } mail ? Clean(mail.GetString()) : null;
        var groups = ImmutableArray.CreateBuilder<string>();
        switch (Find(claims, settings.GroupsClaim))
        {
            case { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Take(MaxGroups))
                {
                    if (item.GetString() is { Length: > 0 and <= MaxLength } group && !group.Any(char.IsControl))
                    {
                        groups.Add(group);
                    }
                }

                break;
            case { ValueKind: JsonValueKind.String } single when single.GetString() is { Length: > 0 and <= MaxLength } group && !group.Any(char.IsControl):
                groups.Add(group);
                break;
        }

        return new PortalUser(name, email, groups.ToImmutable());
    }

    /// <summary>
    /// Finds a claim: by its full name first (namespaced claims such as <c>https://example.com/groups</c> hold dots),
    /// then as a dotted path into nested objects (<c>realm_access.roles</c>).
    /// </summary>
    private static JsonElement? Find(JsonElement claims, string name)
    {
        if (claims.TryGetProperty(name, out var direct))
        {
            return direct;
        }

        var current = claims;
        foreach (var part in name.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>
    /// A name safe everywhere it goes: KAT values (<c>user=NAME,ip=...</c>, so no ',' or '='), headers and log lines
    /// (no control characters), bounded in length.
    /// </summary>
    private static string? Clean(string? value)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        var chars = trimmed.Length > MaxLength ? trimmed[..MaxLength].ToCharArray() : trimmed.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] is ',' or '=')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}

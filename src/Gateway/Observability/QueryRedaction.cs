using System.Text;

namespace Gateway.Observability;

/// <summary>
/// Cuts the values of secret query parameters (the KAT) out of a request target before it is logged:
/// <c>/app?kat=abc&amp;x=1</c> becomes <c>/app?kat=***&amp;x=1</c>. Names compare without regard to case and after
/// percent-decoding, as ASP.NET Core's query collection reads them, so <c>?KAT=</c> or <c>?k%61t=</c> are cut too.
/// </summary>
internal static class QueryRedaction
{
    public const string Mask = "***";

    /// <summary>The target itself when nothing needs cutting (no allocation), otherwise a redacted copy.</summary>
    public static string Redact(string target, IReadOnlyList<string> names)
    {
        var start = target.IndexOf('?', StringComparison.Ordinal);
        if (start < 0 || !MayContain(target.AsSpan(start + 1), names))
        {
            return target;
        }

        var result = new StringBuilder(target.Length);
        result.Append(target, 0, start + 1);
        var query = target.AsSpan(start + 1);
        var first = true;
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (!first)
            {
                result.Append('&');
            }

            first = false;
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            if (IsSecret(name, names))
            {
                result.Append(name).Append('=').Append(Mask);
            }
            else
            {
                result.Append(pair);
            }
        }

        return result.ToString();
    }

    private static bool MayContain(ReadOnlySpan<char> query, IReadOnlyList<string> names)
    {
        if (query.Contains('%') || query.Contains('+'))
        {
            return true;
        }

        foreach (var name in names)
        {
            if (query.Contains(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsSecret(ReadOnlySpan<char> rawName, IReadOnlyList<string> names)
    {
        var name = rawName.ContainsAny('%', '+') ? Uri.UnescapeDataString(rawName.ToString().Replace('+', ' ')) : rawName.ToString();
        foreach (var secret in names)
        {
            if (name.Equals(secret, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

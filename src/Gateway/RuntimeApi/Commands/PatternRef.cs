using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Access.Tokens;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// What an <c>acl</c> or <c>map</c> command addresses: an access list or a token map (HAProxy's "pattern reference"),
/// found by <c>#&lt;id&gt;</c> (lists and maps share one id space) or by name (a list and its map share the name, so
/// the command's own kind is tried first). Names are case-sensitive, as HAProxy's file names are.
/// </summary>
internal readonly record struct PatternRef(AccessList? List, TokenMap? Map)
{
    public static PatternRef? Resolve(AccessState state, string word, bool preferMap)
    {
        if (word.Length == 0)
        {
            return null;
        }

        if (word[0] == '#')
        {
            if (!CliNumbers.TryParseId(word.AsSpan(1), out var id))
            {
                return null;
            }

            if (state.TryGetList(id, out var byId))
            {
                return new PatternRef(byId, null);
            }

            return state.TryGetMap(id, out var mapById) ? new PatternRef(null, mapById) : null;
        }

        var list = state.TryGetList(word, out var named) && named.Name == word ? named : null;
        var map = state.TryGetMap(word, out var namedMap) && namedMap.Id is not null && namedMap.ListName == word ? namedMap : null;
        if (preferMap && map is not null)
        {
            return new PatternRef(null, map);
        }

        if (list is not null)
        {
            return new PatternRef(list, null);
        }

        return map is not null ? new PatternRef(null, map) : null;
    }
}

/// <summary>Numbers as HAProxy's CLI reads them (C library semantics, wrap-arounds included).</summary>
internal static class CliNumbers
{
    /// <summary><c>strtol(text, &amp;end, 10)</c> with nothing left after the number, truncated to an int as C does.</summary>
    public static bool TryParseId(ReadOnlySpan<char> text, out int id)
    {
        id = 0;
        var at = 0;
        while (at < text.Length && text[at] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            at++;
        }

        var negative = false;
        if (at < text.Length && text[at] is '+' or '-')
        {
            negative = text[at] == '-';
            at++;
        }

        var digits = at;
        long value = 0;
        while (at < text.Length && char.IsAsciiDigit(text[at]))
        {
            value = value > (long.MaxValue - 9) / 10 ? long.MaxValue : (value * 10) + (text[at] - '0');
            at++;
        }

        if (at == digits)
        {
            // No digits: strtol leaves the end at the start, so only an empty string passes (as 0).
            return text.IsEmpty;
        }

        if (at != text.Length)
        {
            return false;
        }

        id = unchecked((int)(negative ? -value : value));
        return true;
    }

    /// <summary>HAProxy's <c>str2uic</c> on what follows <c>@</c>: the leading digits, wrapping at 2^32; no digits is 0.</summary>
    public static uint ParseVersion(string word)
    {
        uint value = 0;
        for (var i = 1; i < word.Length && char.IsAsciiDigit(word[i]); i++)
        {
            value = unchecked((value * 10) + (uint)(word[i] - '0'));
        }

        return value;
    }

    /// <summary>
    /// An entry reference, <c>#0x&lt;hex&gt;</c> (what <c>show acl</c> prints before each entry). Null when the word is
    /// not one (then it is a key); false when it starts like one but is malformed.
    /// </summary>
    public static bool? TryParseReference(string word, out long reference)
    {
        reference = 0;
        if (!word.StartsWith("#0x", StringComparison.Ordinal))
        {
            return null;
        }

        var hex = word.AsSpan(3);
        if (hex.IsEmpty)
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }

            var digit = char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
            reference = reference > (long.MaxValue >> 4) ? long.MaxValue : (reference << 4) | (long)digit;
        }

        return true;
    }
}

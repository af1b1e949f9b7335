using System.Globalization;

namespace Gateway.Configuration;

/// <summary>Sizes as operators write them: <c>512KB</c>, <c>100MB</c>, <c>1GB</c> (binary multiples), or a bare byte count.</summary>
internal static class ByteSize
{
    public static bool TryParse(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var split = 0;
        while (split < s.Length && char.IsAsciiDigit(s[split]))
        {
            split++;
        }

        if (split == 0 || !long.TryParse(s.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        long? multiplier = s[split..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1L,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            _ => null,
        };
        if (multiplier is not { } m || number > long.MaxValue / m)
        {
            return false;
        }

        value = number * m;
        return true;
    }

    /// <summary>Parses an optional size, reporting a clear error; returns <paramref name="fallback"/> when absent.</summary>
    public static long Parse(string? text, long fallback, string key, ConfigErrors errors, long min)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!TryParse(text, out var value))
        {
            errors.Add(key, $"'{text}' is not a size; write it like 512KB, 100MB or 1GB.");
            return fallback;
        }

        if (value < min)
        {
            errors.Add(key, $"'{text}' is too small; use at least {Format(min)}.");
            return fallback;
        }

        return value;
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30}GB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20}MB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10}KB",
        _ => $"{bytes}B",
    };
}

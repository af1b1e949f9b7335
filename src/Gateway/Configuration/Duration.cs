using System.Globalization;

namespace Gateway.Configuration;

/// <summary>
/// Durations as HAProxy users write them ("100ms", "5s", "2m", "1h", "1d"), or as .NET TimeSpans ("00:00:05").
/// </summary>
internal static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }

        if (split > 0 && split < s.Length && char.IsAsciiLetter(s[split]) &&
            double.TryParse(s.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            TimeSpan? parsed = s[split..] switch
            {
                "us" => TimeSpan.FromMicroseconds(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                "d" => TimeSpan.FromDays(number),
                _ => null,
            };
            if (parsed is { } v)
            {
                value = v;
                return true;
            }

            return false;
        }

        // A bare number is ambiguous (HAProxy reads milliseconds, TimeSpan reads days): only the hh:mm:ss form.
        return s.Contains(':', StringComparison.Ordinal) &&
            TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>Parses an optional duration, reporting a clear error; returns <paramref name="fallback"/> when absent.</summary>
    public static TimeSpan Parse(string? text, TimeSpan fallback, string key, ConfigErrors errors, TimeSpan? min = null)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!TryParse(text, out var value))
        {
            errors.Add(key, $"'{text}' is not a duration; write it like 500ms, 5s, 2m, 1h or 00:00:05.");
            return fallback;
        }

        if (min is { } m && value < m)
        {
            errors.Add(key, $"'{text}' is too short; use at least {Format(m)}.");
            return fallback;
        }

        return value;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0.###}ms",
        { TotalSeconds: < 60 } => $"{value.TotalSeconds:0.###}s",
        { TotalMinutes: < 60 } => $"{value.TotalMinutes:0.###}m",
        _ => $"{value.TotalHours:0.###}h",
    };
}

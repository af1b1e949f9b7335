using System.Collections;
using System.ComponentModel;
using System.Reflection;

namespace Gateway.Configuration;

/// <summary>
/// Checks the raw configuration against the shape of the options types before binding: unknown keys (typos such as
/// <c>Hsots</c>) and values that do not convert (a port of <c>eighty</c>) are reported with their full key, all at
/// once, instead of the binder silently ignoring the first and throwing on the second.
/// </summary>
internal static class ConfigShape
{
    /// <summary>Returns the keys whose values cannot be bound, so that binding can skip them.</summary>
    public static HashSet<string> Check(IConfigurationSection section, Type type, ConfigErrors errors)
    {
        var bad = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Walk(section, type, errors, bad);
        return bad;
    }

    private static void Walk(IConfigurationSection section, Type type, ConfigErrors errors, HashSet<string> bad)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var children = section.GetChildren().ToList();

        if (IsScalar(type))
        {
            if (children.Count > 0)
            {
                errors.Add(section.Path, $"expects a single value ({Describe(type)}), not an object or a list.");
                AddAll(section, bad);
                return;
            }

            if (!string.IsNullOrEmpty(section.Value) && !Converts(section.Value, type))
            {
                errors.Add(section.Path, $"'{section.Value}' is not {Describe(type)}.");
                bad.Add(section.Path);
            }

            return;
        }

        if (children.Count == 0)
        {
            if (!string.IsNullOrEmpty(section.Value))
            {
                errors.Add(section.Path, $"expects {(IsList(type, out _) || IsDictionary(type, out _) ? "a list or map" : "an object")}, not the single value '{section.Value}'.");
                bad.Add(section.Path);
            }

            return;
        }

        if (IsDictionary(type, out var valueType))
        {
            foreach (var child in children)
            {
                Walk(child, valueType, errors, bad);
            }

            return;
        }

        if (IsList(type, out var itemType))
        {
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, out _))
                {
                    errors.Add(child.Path, "is a named entry, but this setting is a list; write it as a JSON array.");
                    AddAll(child, bad);
                    continue;
                }

                Walk(child, itemType, errors, bad);
            }

            return;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in children)
        {
            if (properties.TryGetValue(child.Key, out var property))
            {
                Walk(child, property.PropertyType, errors, bad);
                continue;
            }

            errors.Add(child.Path, $"is not a known setting{Suggest(child.Key, properties.Keys)}.");
            AddAll(child, bad);
        }
    }

    private static void AddAll(IConfigurationSection section, HashSet<string> bad)
    {
        bad.Add(section.Path);
        foreach (var child in section.GetChildren())
        {
            AddAll(child, bad);
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan);

    private static bool IsDictionary(Type type, out Type valueType)
    {
        valueType = typeof(object);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            valueType = type.GetGenericArguments()[1];
            return true;
        }

        return false;
    }

    private static bool IsList(Type type, out Type itemType)
    {
        itemType = typeof(object);
        if (type.IsArray)
        {
            itemType = type.GetElementType()!;
            return true;
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1)
        {
            itemType = type.GetGenericArguments()[0];
            return true;
        }

        return false;
    }

    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "a text value",
    };

    private static string Suggest(string key, IEnumerable<string> known)
    {
        var names = known.ToList();
        var best = names.OrderBy(n => Distance(key.ToUpperInvariant(), n.ToUpperInvariant())).FirstOrDefault();
        if (best is not null && Distance(key.ToUpperInvariant(), best.ToUpperInvariant()) <= Math.Max(2, key.Length / 4))
        {
            return $"; did you mean '{best}'?";
        }

        return names.Count == 0 ? string.Empty : "; known settings here: " + string.Join(", ", names.Order(StringComparer.Ordinal));
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>
/// Lenient reads of Kubernetes objects: the API omits empty fields, so every read tolerates a missing or
/// differently-typed property and gives null or an empty sequence instead of throwing.
/// </summary>
internal static class JsonElementExtensions
{
    public static JsonElement? Prop(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static JsonElement? Path(this JsonElement element, params string[] names)
    {
        JsonElement? current = element;
        foreach (var name in names)
        {
            current = current?.Prop(name);
        }

        return current;
    }

    public static string? Str(this JsonElement element, params string[] names) =>
        element.Path(names) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static int? Int(this JsonElement element, params string[] names) =>
        element.Path(names) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    public static bool? Bool(this JsonElement element, params string[] names) =>
        element.Path(names) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    public static IEnumerable<JsonElement> Items(this JsonElement element, params string[] names) =>
        element.Path(names) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>A string map such as <c>metadata.annotations</c>; non-string values are skipped.</summary>
    public static IReadOnlyDictionary<string, string> Map(this JsonElement element, params string[] names)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.Path(names) is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    result[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return result;
    }

    public static string? Meta(this JsonElement element, string name) => element.Str("metadata", name);

    /// <summary><c>namespace/name</c>, or just the name for cluster-scoped objects: the key objects are cached by.</summary>
    public static string ObjectKey(this JsonElement element) =>
        element.Meta("namespace") is { } ns ? ns + "/" + element.Meta("name") : element.Meta("name") ?? string.Empty;
}

using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>One line of a watch stream: <c>{"type": "ADDED", "object": {...}}</c>.</summary>
internal readonly record struct WatchEvent(WatchEventType Type, JsonElement Object)
{
    public string? ResourceVersion => Object.Meta("resourceVersion");
}

internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>A list response: the items and the resource version to watch from.</summary>
internal sealed record ResourceList(IReadOnlyList<JsonElement> Items, string ResourceVersion);

using System.Text.Json;

namespace Gateway.State;

/// <summary>How stores write changes and snapshots: JSON, camelCase, changes tagged with their type.</summary>
internal static class StateJson
{
    // jsonb stores object keys in its own order, so the "type" tag may not come first when a change is read back.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { AllowOutOfOrderMetadataProperties = true };
}

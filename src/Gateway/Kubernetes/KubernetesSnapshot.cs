using System.Collections.Immutable;
using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>The watched resources at one moment, each by <c>namespace/name</c>: the translator's whole input.</summary>
internal sealed record KubernetesSnapshot(
    ImmutableDictionary<string, JsonElement> Ingresses,
    ImmutableDictionary<string, JsonElement> IngressClasses,
    ImmutableDictionary<string, JsonElement> Services,
    ImmutableDictionary<string, JsonElement> EndpointSlices,
    ImmutableDictionary<string, JsonElement> Secrets);

/// <summary>What one translation decided: the fragment to merge, and per Ingress whether it is served.</summary>
internal sealed record IngressTranslation(
    KubernetesFragment Fragment,
    IReadOnlyList<JsonElement> Accepted,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Rejected,
    IReadOnlyList<string> Notes);

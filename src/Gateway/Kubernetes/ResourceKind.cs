namespace Gateway.Kubernetes;

/// <summary>One kind of resource the controller lists and watches, and where the API serves it.</summary>
internal sealed record ResourceKind(string Name, string GroupVersionPath, string Plural, bool Namespaced, string? FieldSelector = null)
{
    public static readonly ResourceKind Ingresses = new("Ingress", "/apis/networking.k8s.io/v1", "ingresses", Namespaced: true);

    public static readonly ResourceKind IngressClasses = new("IngressClass", "/apis/networking.k8s.io/v1", "ingressclasses", Namespaced: false);

    public static readonly ResourceKind Services = new("Service", "/api/v1", "services", Namespaced: true);

    public static readonly ResourceKind EndpointSlices = new("EndpointSlice", "/apis/discovery.k8s.io/v1", "endpointslices", Namespaced: true);

    // Only TLS secrets: the API server filters by type, so the gateway never holds other secrets in memory.
    public static readonly ResourceKind TlsSecrets = new("Secret", "/api/v1", "secrets", Namespaced: true, FieldSelector: "type=kubernetes.io/tls");

    public static readonly IReadOnlyList<ResourceKind> All = [Ingresses, IngressClasses, Services, EndpointSlices, TlsSecrets];

    /// <summary>The collection path, limited to <paramref name="ns"/> when the kind is namespaced and one is given.</summary>
    public string Path(string? ns) =>
        Namespaced && ns is not null ? $"{GroupVersionPath}/namespaces/{ns}/{Plural}" : $"{GroupVersionPath}/{Plural}";
}

namespace Gateway.Kubernetes;

/// <summary>
/// <c>Gateway:Kubernetes</c>: ingress-controller mode. The gateway lists and watches Ingress resources of its class
/// (with their Services, EndpointSlices and TLS Secrets) and serves them beside the routes of the config files.
/// Inside a pod nothing but <see cref="Enabled"/> is needed: the API server, token and CA come from the service account.
/// </summary>
internal sealed class KubernetesOptions
{
    public bool? Enabled { get; set; }

    /// <summary>The IngressClass whose Ingresses this gateway serves. Default <c>gateway</c>.</summary>
    public string? IngressClass { get; set; }

    /// <summary>Out of a cluster: the API server URL (<c>https://host:6443</c>). Default: KUBERNETES_SERVICE_HOST/PORT.</summary>
    public string? ApiServer { get; set; }

    /// <summary>A bearer token, as a kubeconfig's <c>token</c>. Prefer <see cref="TokenFile"/>, which is re-read.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding the bearer token. Default in a pod: the service account's token.</summary>
    public string? TokenFile { get; set; }

    /// <summary>PEM file with the CA that signed the API server's certificate. Default in a pod: the service account's ca.crt.</summary>
    public string? CaFile { get; set; }

    /// <summary>Watch only this namespace (a namespaced Role suffices then). Default: every namespace.</summary>
    public string? Namespace { get; set; }

    /// <summary>The address written to each served Ingress's <c>status.loadBalancer</c>: an IP or a host name.</summary>
    public string? StatusAddress { get; set; }

    /// <summary>Longest wait between retries after API errors (the wait doubles from 200ms up to this). Default 30s.</summary>
    public string? MaxBackoff { get; set; }
}

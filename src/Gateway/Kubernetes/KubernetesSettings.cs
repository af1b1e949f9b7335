namespace Gateway.Kubernetes;

/// <summary>The validated <c>Gateway:Kubernetes</c> section; read once at start (like listeners, changes need a restart).</summary>
internal sealed record KubernetesSettings
{
    public const string DefaultClass = "gateway";
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static readonly KubernetesSettings Disabled = new();

    public bool Enabled { get; init; }

    public string IngressClass { get; init; } = DefaultClass;

    public Uri ApiServer { get; init; } = new("https://kubernetes.default.svc");

    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public string? CaFile { get; init; }

    public string? Namespace { get; init; }

    public string? StatusAddress { get; init; }

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

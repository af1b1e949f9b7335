namespace Gateway.Kubernetes;

/// <summary>
/// The API server refused a request, or a watch reported an error, with the HTTP status Kubernetes gave. The watch
/// loop tells 410 Gone (the resource version is too old: list again) from the rest (retry after a backoff).
/// </summary>
internal sealed class KubernetesApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public bool IsGone => Status == StatusCodes.Status410Gone;
}

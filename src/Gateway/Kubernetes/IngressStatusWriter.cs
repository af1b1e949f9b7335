using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Kubernetes;

/// <summary>
/// Writes the gateway's address into <c>status.loadBalancer.ingress</c> of every Ingress it serves, so that
/// <c>kubectl get ingress</c> and external-dns see where the hosts live. Only Ingresses whose status differs are
/// patched, so the MODIFIED event a patch causes does not cause another patch.
/// </summary>
internal sealed partial class IngressStatusWriter(KubernetesApi api, KubernetesSettings settings, ILogger logger)
{
    /// <summary>
    /// Sets the address on the <paramref name="served"/> Ingresses, and takes it off the others that still carry it
    /// (rejected, or moved to another class), so that the status never claims a host this gateway does not serve.
    /// </summary>
    public async Task WriteAsync(IEnumerable<JsonElement> all, IReadOnlyList<JsonElement> served, CancellationToken cancellation)
    {
        if (settings.StatusAddress is not { } address)
        {
            return;
        }

        var field = IPAddress.TryParse(address, out _) ? "ip" : "hostname";
        var servedKeys = served.Select(i => i.ObjectKey()).ToHashSet(StringComparer.Ordinal);
        foreach (var ingress in all)
        {
            var current = ingress.Items("status", "loadBalancer", "ingress").ToList();
            var ours = current.Count == 1 && current[0].Str(field) == address && current[0].EnumerateObject().Count() == 1;
            var serve = servedKeys.Contains(ingress.ObjectKey());
            if (ours == serve)
            {
                continue;
            }

            var entries = serve ? new JsonArray(new JsonObject { [field] = address }) : null;
            var patch = new JsonObject { ["status"] = new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = entries } } };
            var ns = ingress.Meta("namespace") ?? "default";
            var name = ingress.Meta("name") ?? string.Empty;
            try
            {
                await api.PatchIngressStatusAsync(ns, name, patch.ToJsonString(), cancellation);
                Log.Written(logger, ns, name, serve ? address : "(none)");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesApiException)
            {
                // The next change of anything retries; the status is informational, serving does not depend on it.
                Log.Failed(logger, ns, name, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.KubernetesStatusWritten, LogLevel.Information, "Kubernetes: Ingress {Namespace}/{Name} status set to {Address}.")]
        public static partial void Written(ILogger logger, string @namespace, string name, string address);

        [LoggerMessage(Observability.EventIds.KubernetesStatusFailed, LogLevel.Warning, "Kubernetes: could not write the status of Ingress {Namespace}/{Name}: {Error}")]
        public static partial void Failed(ILogger logger, string @namespace, string name, string error);
    }
}

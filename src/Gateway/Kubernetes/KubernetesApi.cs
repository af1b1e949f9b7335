using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>
/// The few calls the controller makes, as plain HTTPS and JSON: list a collection (page by page), watch it from a
/// resource version (one JSON event per line of a chunked response), and merge-patch an Ingress's status.
/// </summary>
internal sealed class KubernetesApi(HttpClient http, KubernetesSettings settings)
{
    private const int PageSize = 500;

    /// <summary>Server-side watch timeout; the watcher simply watches again from where it was when it ends.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<ResourceList> ListAsync(ResourceKind kind, CancellationToken cancellation)
    {
        var items = new List<JsonElement>();
        string? next = null;
        while (true)
        {
            var query = Query(kind, ("limit", PageSize.ToString(CultureInfo.InvariantCulture)), ("continue", next));
            using var response = await SendAsync(HttpMethod.Get, kind.Path(settings.Namespace) + query, null, HttpCompletionOption.ResponseContentRead, cancellation);
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellation), default, cancellation);
            var root = document.RootElement;
            items.AddRange(root.Items("items").Select(i => i.Clone()));
            next = root.Str("metadata", "continue");
            if (string.IsNullOrEmpty(next))
            {
                return new ResourceList(items, root.Str("metadata", "resourceVersion") ?? string.Empty);
            }
        }
    }

    /// <summary>
    /// The events after <paramref name="resourceVersion"/> until the server ends the stream. A watch ERROR event
    /// becomes a <see cref="KubernetesApiException"/> carrying its Status code (410 when the version is too old).
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(ResourceKind kind, string resourceVersion, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var timeout = ((int)WatchTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var query = Query(kind, ("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"), ("timeoutSeconds", timeout));
        using var response = await SendAsync(HttpMethod.Get, kind.Path(settings.Namespace) + query, null, HttpCompletionOption.ResponseHeadersRead, cancellation);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellation), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = root.Str("type");
            var item = root.Prop("object")?.Clone() ?? default;
            yield return type switch
            {
                "ADDED" => new WatchEvent(WatchEventType.Added, item),
                "MODIFIED" => new WatchEvent(WatchEventType.Modified, item),
                "DELETED" => new WatchEvent(WatchEventType.Deleted, item),
                "BOOKMARK" => new WatchEvent(WatchEventType.Bookmark, item),
                "ERROR" => throw new KubernetesApiException(item.Int("code") ?? 500, $"watch of {kind.Plural} reported: {item.Str("message") ?? item.Str("reason") ?? "an error"}"),
                _ => throw new JsonException($"unknown watch event type '{type}'"),
            };
        }
    }

    /// <summary>Merge-patches the status subresource of an Ingress (only status is touched, never its spec).</summary>
    public async Task PatchIngressStatusAsync(string ns, string name, string patch, CancellationToken cancellation)
    {
        var path = $"{ResourceKind.Ingresses.GroupVersionPath}/namespaces/{Uri.EscapeDataString(ns)}/ingresses/{Uri.EscapeDataString(name)}/status";
        var content = new StringContent(patch, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await SendAsync(HttpMethod.Patch, path, content, HttpCompletionOption.ResponseContentRead, cancellation);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content, HttpCompletionOption completion, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (await TokenAsync(cancellation) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await http.SendAsync(request, completion, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellation);
                string? message = null;
                try
                {
                    using var status = JsonDocument.Parse(body);
                    message = status.RootElement.Str("message");
                }
                catch (JsonException)
                {
                }

                throw new KubernetesApiException((int)response.StatusCode, $"{method} {pathAndQuery} answered {(int)response.StatusCode}: {message ?? response.ReasonPhrase}");
            }
        }

        return response;
    }

    // The service account token is rotated by the kubelet, so the file is read for every request (they are rare:
    // a list, then one long watch per kind).
    private async Task<string?> TokenAsync(CancellationToken cancellation) =>
        settings.TokenFile is { } file ? (await File.ReadAllTextAsync(file, cancellation)).Trim() : settings.Token;

    private static string Query(ResourceKind kind, params (string Name, string? Value)[] parameters)
    {
        var all = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).ToList();
        if (kind.FieldSelector is { } selector)
        {
            all.Add(("fieldSelector", selector));
        }

        return "?" + string.Join('&', all.Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
    }
}

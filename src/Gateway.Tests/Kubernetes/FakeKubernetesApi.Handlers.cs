using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Kubernetes;

/// <summary>The HTTP side of the fake API server: list, watch and status patch.</summary>
public sealed partial class FakeKubernetesApi
{
    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var body = request.Method == "PATCH" ? await new StreamReader(request.Body).ReadToEndAsync() : null;
        // The collection (cluster-wide or .../namespaces/{ns}/{plural}), or an object or subresource under it.
        var path = request.Path.Value ?? string.Empty;
        var plural = Kinds.FirstOrDefault(k => path == k.Value.Path ||
            (path.StartsWith(k.Value.Path[..k.Value.Path.LastIndexOf('/')] + "/namespaces/", StringComparison.Ordinal) && path.EndsWith("/" + k.Key, StringComparison.Ordinal)) ||
            path.Contains("/" + k.Key + "/", StringComparison.Ordinal)).Key;
        var watch = request.Query["watch"] is var w && (w == "true" || w == "1");
        lock (_lock)
        {
            _requests.Add(new RecordedRequest(request.Method, request.Path.Value ?? string.Empty, plural, watch, request.Query["resourceVersion"], request.Query["fieldSelector"], body));
        }

        if (request.Headers.Authorization != "Bearer " + Token)
        {
            await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
            return;
        }

        if (plural is null)
        {
            await StatusAsync(context, 404, "NotFound", "the server could not find the requested resource");
            return;
        }

        if (request.Method == "PATCH" && request.Path.Value!.EndsWith("/status", StringComparison.Ordinal))
        {
            await PatchStatusAsync(context, body!);
        }
        else if (request.Method == "GET" && watch)
        {
            await WatchAsync(context, plural, NamespaceOf(request.Path.Value!));
        }
        else if (request.Method == "GET")
        {
            await ListAsync(context, plural, NamespaceOf(request.Path.Value!));
        }
        else
        {
            await StatusAsync(context, 405, "MethodNotAllowed", "method not allowed");
        }
    }

    /// <summary>The namespace a path is scoped to (<c>.../namespaces/{ns}/ingresses</c>), or null for all of them.</summary>
    private static string? NamespaceOf(string path)
    {
        var parts = path.Split('/');
        var at = Array.IndexOf(parts, "namespaces");
        return at >= 0 && at + 2 < parts.Length ? parts[at + 1] : null;
    }

    /// <summary>Whether a watch line concerns <paramref name="ns"/>: events without a namespaced object (bookmarks, errors) always do.</summary>
    private static bool Concerns(string line, string? ns) =>
        ns is null || JsonNode.Parse(line)?["object"]?["metadata"]?["namespace"]?.GetValue<string>() is not { } objectNamespace || objectNamespace == ns;

    private async Task ListAsync(HttpContext context, string plural, string? ns)
    {
        JsonObject list;
        lock (_lock)
        {
            var (_, kind, apiVersion) = Kinds[plural];
            list = new JsonObject
            {
                ["kind"] = kind + "List",
                ["apiVersion"] = apiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. _collections[plural].Objects.Values
                    .Where(o => ns is null || o["metadata"]?["namespace"]?.GetValue<string>() == ns)
                    .Select(o => o.DeepClone())]),
            };
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(list.ToJsonString());
    }

    private async Task WatchAsync(HttpContext context, string plural, string? ns)
    {
        var from = long.Parse(context.Request.Query["resourceVersion"].ToString(), CultureInfo.InvariantCulture);
        var channel = Channel.CreateUnbounded<string?>();
        List<string> backlog;
        lock (_lock)
        {
            var collection = _collections[plural];
            if (from < collection.CompactedBelow)
            {
                backlog = [];
                channel = null;
            }
            else
            {
                backlog = [.. collection.History.Where(h => h.Version > from).Select(h => h.Line)];
                collection.Watchers.Add(channel);
            }
        }

        if (channel is null)
        {
            await StatusAsync(context, 410, "Expired", "too old resource version");
            return;
        }

        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync();
            foreach (var line in backlog.Where(l => Concerns(l, ns)))
            {
                await context.Response.WriteAsync(line);
            }

            await context.Response.Body.FlushAsync();
            await foreach (var line in channel.Reader.ReadAllAsync(context.RequestAborted))
            {
                if (line is null)
                {
                    context.Abort();
                    return;
                }

                if (!Concerns(line, ns))
                {
                    continue;
                }

                await context.Response.WriteAsync(line);
                await context.Response.Body.FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _collections[plural].Watchers.Remove(channel);
            }
        }
    }

    private async Task PatchStatusAsync(HttpContext context, string body)
    {
        // /apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}/status
        var parts = context.Request.Path.Value!.Split('/');
        if (context.Request.ContentType != "application/merge-patch+json")
        {
            await StatusAsync(context, 415, "UnsupportedMediaType", "expected application/merge-patch+json");
            return;
        }

        JsonObject? updated = null;
        lock (_lock)
        {
            if (_collections["ingresses"].Objects.TryGetValue(parts[5] + "/" + parts[7], out var current))
            {
                updated = current.DeepClone().AsObject();
                updated["status"] = JsonNode.Parse(body)!["status"]!.DeepClone();
            }
        }

        if (updated is null)
        {
            await StatusAsync(context, 404, "NotFound", "ingress not found");
            return;
        }

        // As the API server does, the write bumps the resource version and is seen by watchers as MODIFIED.
        Put("ingresses", updated);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(updated.ToJsonString());
    }

    private static async Task StatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        }.ToJsonString());
    }
}

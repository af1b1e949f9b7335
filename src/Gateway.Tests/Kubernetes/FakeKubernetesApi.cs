using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Gateway.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Kubernetes;

/// <summary>
/// A small Kubernetes API server of our own, on loopback over TLS, speaking the real wire format: list responses
/// (<c>kind: XList</c>, <c>metadata.resourceVersion</c>, <c>items</c>), chunked watch streams with one JSON event per
/// line (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR carrying a Status), 410 Gone for compacted resource versions, and
/// merge-patches of the Ingress status subresource. Resource versions are one counter across kinds, as etcd's are.
/// It records what clients asked, so tests can tell a resumed watch from a new list.
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    public const string Token = "test-service-account-token";

    private static readonly Dictionary<string, (string Path, string Kind, string ApiVersion)> Kinds = new(StringComparer.Ordinal)
    {
        ["ingresses"] = ("/apis/networking.k8s.io/v1/ingresses", "Ingress", "networking.k8s.io/v1"),
        ["ingressclasses"] = ("/apis/networking.k8s.io/v1/ingressclasses", "IngressClass", "networking.k8s.io/v1"),
        ["services"] = ("/api/v1/services", "Service", "v1"),
        ["endpointslices"] = ("/apis/discovery.k8s.io/v1/endpointslices", "EndpointSlice", "discovery.k8s.io/v1"),
        ["secrets"] = ("/api/v1/secrets", "Secret", "v1"),
    };

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Collection> _collections = Kinds.Keys.ToDictionary(k => k, _ => new Collection(), StringComparer.Ordinal);
    private readonly List<RecordedRequest> _requests = [];
    private WebApplication _app = null!;
    private long _version = 1000;

    private FakeKubernetesApi()
    {
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Every request, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeKubernetesApi> StartAsync(TestCertificates certificates)
    {
        var self = new FakeKubernetesApi();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = certificates.Issue("localhost");
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate })));
        self._app = builder.Build();
        self._app.Map("/{**path}", self.HandleAsync);
        await self._app.StartAsync();
        self.Url = new Uri($"https://127.0.0.1:{new Uri(self._app.Urls.First()).Port}");
        return self;
    }

    /// <summary>How many times <paramref name="plural"/> was listed.</summary>
    public int Lists(string plural) => Requests.Count(r => r.Plural == plural && r.Method == "GET" && !r.Watch);

    /// <summary>The resource versions <paramref name="plural"/> was watched from, in order.</summary>
    public IReadOnlyList<string> WatchVersions(string plural) =>
        [.. Requests.Where(r => r.Plural == plural && r.Watch).Select(r => r.ResourceVersion ?? string.Empty)];

    /// <summary>How many watches of <paramref name="plural"/> are open now.</summary>
    public int OpenWatches(string plural)
    {
        lock (_lock)
        {
            return _collections[plural].Watchers.Count;
        }
    }

    /// <summary>Creates or replaces an object; <paramref name="silent"/>: no watch event (as if it were compacted away).</summary>
    public string Put(string plural, JsonObject item, bool silent = false)
    {
        lock (_lock)
        {
            var collection = _collections[plural];
            var key = Key(item);
            var version = (++_version).ToString(CultureInfo.InvariantCulture);
            var metadata = item["metadata"]!.AsObject();
            metadata["resourceVersion"] = version;
            metadata["creationTimestamp"] ??= new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(_version).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var type = collection.Objects.ContainsKey(key) ? "MODIFIED" : "ADDED";
            // Status is a subresource: writing the object leaves the status as it was, as the API server does.
            if (collection.Objects.TryGetValue(key, out var existing) && existing["status"] is { } status && !item.ContainsKey("status"))
            {
                item["status"] = status.DeepClone();
            }

            collection.Objects[key] = item;
            if (!silent)
            {
                Publish(plural, collection, type, item);
            }

            return version;
        }
    }

    public void Delete(string plural, string? ns, string name, bool silent = false)
    {
        lock (_lock)
        {
            var collection = _collections[plural];
            var key = ns is null ? name : ns + "/" + name;
            if (collection.Objects.Remove(key, out var item))
            {
                item["metadata"]!["resourceVersion"] = (++_version).ToString(CultureInfo.InvariantCulture);
                if (!silent)
                {
                    Publish(plural, collection, "DELETED", item);
                }
            }
        }
    }

    /// <summary>Sends a BOOKMARK with the current resource version to the open watches; returns that version.</summary>
    public string Bookmark(string plural)
    {
        lock (_lock)
        {
            var version = _version.ToString(CultureInfo.InvariantCulture);
            var (_, kind, apiVersion) = Kinds[plural];
            var bookmark = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion, ["metadata"] = new JsonObject { ["resourceVersion"] = version } };
            foreach (var watcher in _collections[plural].Watchers)
            {
                watcher.Writer.TryWrite(Line("BOOKMARK", bookmark));
            }

            return version;
        }
    }

    /// <summary>Cuts every open watch of <paramref name="plural"/> mid-stream (the connection is aborted).</summary>
    public void DropWatches(string plural)
    {
        lock (_lock)
        {
            foreach (var watcher in _collections[plural].Watchers)
            {
                watcher.Writer.TryWrite(null);
            }
        }
    }

    /// <summary>
    /// Compacts history: every version up to now is gone. Open watches get an ERROR event with a 410 Status
    /// (<paramref name="asHttpStatus"/>: they are cut instead, and the next watch from an old version is answered
    /// with HTTP 410).
    /// </summary>
    public void Compact(string plural, bool asHttpStatus)
    {
        lock (_lock)
        {
            var collection = _collections[plural];
            collection.CompactedBelow = ++_version;
            foreach (var watcher in collection.Watchers)
            {
                watcher.Writer.TryWrite(asHttpStatus ? null : Line("ERROR", GoneStatus()));
                watcher.Writer.TryComplete();
            }
        }
    }

    /// <summary>The merge-patches sent to Ingress status subresources: (namespace/name, body).</summary>
    public IReadOnlyList<(string Ingress, JsonNode Body)> StatusPatches =>
        [.. Requests.Where(r => r.Method == "PATCH").Select(r => (r.Path.Split('/')[5] + "/" + r.Path.Split('/')[7], JsonNode.Parse(r.Body!)!))];

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            foreach (var watcher in _collections.Values.SelectMany(c => c.Watchers))
            {
                watcher.Writer.TryComplete();
            }
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string Key(JsonObject item) =>
        item["metadata"]!["namespace"] is { } ns ? ns + "/" + item["metadata"]!["name"] : item["metadata"]!["name"]!.ToString();

    private static string Line(string type, JsonNode item) =>
        new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString() + "\n";

    private static JsonObject GoneStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = "too old resource version",
        ["reason"] = "Expired",
        ["code"] = 410,
    };

    private void Publish(string plural, Collection collection, string type, JsonObject item)
    {
        var line = Line(type, item);
        collection.History.Add((_version, line));
        foreach (var watcher in collection.Watchers)
        {
            watcher.Writer.TryWrite(line);
        }
    }

    /// <summary>One kind's objects, its event history (for watches from a version), and its open watches.</summary>
    private sealed class Collection
    {
        public Dictionary<string, JsonObject> Objects { get; } = new(StringComparer.Ordinal);

        public List<(long Version, string Line)> History { get; } = [];

        public List<Channel<string?>> Watchers { get; } = [];

        public long CompactedBelow { get; set; }
    }
}

/// <summary>A request the fake API server received.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Plural, bool Watch, string? ResourceVersion, string? FieldSelector, string? Body);

using System.Collections.Immutable;
using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>
/// Keeps an up-to-date copy of one kind of resource, as Kubernetes informers do: list once, then watch from the
/// list's resource version. A watch that ends or drops is resumed from the last version seen (bookmarks keep it
/// fresh), without listing again; only 410 Gone (that version has been compacted away) forces a new list. Errors
/// are retried after a bounded exponential backoff.
/// </summary>
internal sealed partial class ResourceWatcher(ResourceKind kind, KubernetesApi api, KubernetesSettings settings, TimeProvider time, ILogger logger)
{
    private volatile ImmutableDictionary<string, JsonElement> _objects = ImmutableDictionary<string, JsonElement>.Empty;
    private volatile bool _synced;

    public ResourceKind Kind => kind;

    /// <summary>True once the first list has arrived.</summary>
    public bool Synced => _synced;

    /// <summary>The objects as of now, by <c>namespace/name</c>.</summary>
    public ImmutableDictionary<string, JsonElement> Objects => _objects;

    /// <summary>Runs until cancelled; <paramref name="changed"/> is called after every change to <see cref="Objects"/>.</summary>
    public async Task RunAsync(Action changed, CancellationToken cancellation)
    {
        var backoff = new Backoff(settings.InitialBackoff, settings.MaxBackoff, time);
        string? version = null;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                if (version is null)
                {
                    var list = await api.ListAsync(kind, cancellation);
                    _objects = list.Items.ToImmutableDictionary(i => i.ObjectKey(), StringComparer.Ordinal);
                    version = list.ResourceVersion;
                    _synced = true;
                    Log.Listed(logger, kind.Plural, list.Items.Count, version);
                    changed();
                }

                var delivered = false;
                await foreach (var item in api.WatchAsync(kind, version, cancellation))
                {
                    version = item.ResourceVersion ?? version;
                    delivered = true;
                    if (Apply(item))
                    {
                        changed();
                    }
                }

                // The server ends watches after timeoutSeconds; watch again from where this one stopped. A watch
                // that ended without a single event might be a server in trouble, so that one waits first.
                if (delivered)
                {
                    backoff.Reset();
                }
                else
                {
                    await backoff.DelayAsync(backoff.Next(), cancellation);
                }
            }
            catch (KubernetesApiException e) when (e.IsGone)
            {
                Log.Gone(logger, kind.Plural, version ?? "(list)");
                version = null;
            }
            catch (Exception e) when (!cancellation.IsCancellationRequested && IsTransient(e))
            {
                var wait = backoff.Next();
                Log.Failed(logger, kind.Plural, version ?? "(list)", wait, e.Message);
                await backoff.DelayAsync(wait, cancellation);
                continue;
            }

            backoff.Reset();
        }
    }

    private bool Apply(WatchEvent item)
    {
        if (item.Type == WatchEventType.Bookmark)
        {
            Log.Bookmark(logger, kind.Plural, item.ResourceVersion ?? string.Empty);
            return false;
        }

        var key = item.Object.ObjectKey();
        _objects = item.Type == WatchEventType.Deleted ? _objects.Remove(key) : _objects.SetItem(key, item.Object);
        return true;
    }

    // What a flaky network or API server produces. Anything else is a bug and stops the controller loudly.
    private static bool IsTransient(Exception e) =>
        e is HttpRequestException or IOException or KubernetesApiException or JsonException or OperationCanceledException;

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.KubernetesListed, LogLevel.Information, "Kubernetes: listed {Count} {Kind} at resource version {Version}; watching from there.")]
        public static partial void Listed(ILogger logger, string kind, int count, string version);

        [LoggerMessage(Observability.EventIds.KubernetesWatchGone, LogLevel.Information, "Kubernetes: resource version {Version} of {Kind} is gone (410); listing again.")]
        public static partial void Gone(ILogger logger, string kind, string version);

        [LoggerMessage(Observability.EventIds.KubernetesBookmark, LogLevel.Debug, "Kubernetes: {Kind} bookmark at resource version {Version}.")]
        public static partial void Bookmark(ILogger logger, string kind, string version);

        [LoggerMessage(Observability.EventIds.KubernetesWatchFailed, LogLevel.Warning, "Kubernetes: watching {Kind} from {Version} failed; retrying in {Wait}: {Error}")]
        public static partial void Failed(ILogger logger, string kind, string version, TimeSpan wait, string error);
    }
}

using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tls;

/// <summary>
/// Watches the directories holding the configured certificate files and calls back, once per burst of changes, when
/// anything in them changes (a renewed file copied over, a Kubernetes secret's <c>..data</c> link swapped).
/// </summary>
internal sealed class CertificateFileWatcher(Action reload) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly List<IDisposable> _watches = [];
    private int _scheduled;

    public void Watch(IEnumerable<CertificateSource> sources)
    {
        Clear();
        var directories = sources
            .Select(s => Directory.Exists(s.Path) ? s.Path : Path.GetDirectoryName(Path.GetFullPath(s.Path))!)
            .Concat(sources.Where(s => s.KeyPath is not null).Select(s => Path.GetDirectoryName(Path.GetFullPath(s.KeyPath!))!))
            .Where(Directory.Exists)
            .Distinct(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            var provider = new PhysicalFileProvider(directory, ExclusionFilters.None);
            _watches.Add(provider);
            _watches.Add(ChangeToken.OnChange(() => provider.Watch("**/*"), Schedule));
        }
    }

    public void Dispose() => Clear();

    private void Clear()
    {
        for (var i = _watches.Count - 1; i >= 0; i--)
        {
            _watches[i].Dispose();
        }

        _watches.Clear();
    }

    private void Schedule()
    {
        // Writers replace files in several steps; reload once the burst has settled.
        if (Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }

        _ = Task.Delay(Settle).ContinueWith(
            _ =>
            {
                Volatile.Write(ref _scheduled, 0);
                reload();
            },
            CancellationToken.None,
            TaskContinuationOptions.None,
            TaskScheduler.Default);
    }
}

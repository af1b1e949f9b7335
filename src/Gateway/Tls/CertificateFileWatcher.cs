namespace Gateway.Tls;

/// <summary>
/// Watches the directories holding the configured certificate files (not their subdirectories) and calls back, once
/// per burst of changes, when anything in them changes: a renewed file copied over or renamed into place, a
/// Kubernetes secret's <c>..data</c> link swapped.
/// </summary>
internal sealed class CertificateFileWatcher(Action reload) : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly List<FileSystemWatcher> _watchers = [];
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
            var watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Schedule();
            watcher.Created += (_, _) => Schedule();
            watcher.Deleted += (_, _) => Schedule();
            watcher.Renamed += (_, _) => Schedule();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    public void Dispose() => Clear();

    private void Clear()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
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

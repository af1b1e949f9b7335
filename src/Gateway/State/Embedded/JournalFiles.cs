using System.Text.Json;

namespace Gateway.State.Embedded;

/// <summary>
/// The embedded store's files under <c>&lt;state&gt;/access/</c>, all 0600 in a 0700 directory: <c>snapshot.json</c>,
/// <c>journal.log</c> (appended), and <c>journal.old</c> (the part of the journal a snapshot being written covers).
/// </summary>
internal sealed class JournalFiles : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly Lock _lock = new();
    private FileStream? _journal;

    public JournalFiles(string directory)
    {
        Directory = directory;
        if (!System.IO.Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
            }
        }
    }

    public string Directory { get; }

    public string JournalPath => Path.Combine(Directory, "journal.log");

    private string OldJournalPath => Path.Combine(Directory, "journal.old");

    private string SnapshotPath => Path.Combine(Directory, "snapshot.json");

    public AccessSnapshot? ReadSnapshot()
    {
        if (!File.Exists(SnapshotPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<AccessSnapshot>(File.ReadAllBytes(SnapshotPath), JournalRecord.Json);
        }
        catch (JsonException e)
        {
            // A snapshot is renamed into place only once complete, so this is outside damage: stop rather than guess.
            throw new InvalidDataException($"The access snapshot {SnapshotPath} is damaged ({e.Message}). Restore it from a backup or move it away to start from the journal alone.", e);
        }
    }

    /// <summary>The old journal (if a compaction was interrupted) then the current one; a damaged tail is cut off.</summary>
    public IEnumerable<(string Path, List<JournalRecord> Records, long? DamagedAt)> ReadJournals()
    {
        foreach (var path in new[] { OldJournalPath, JournalPath })
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var (records, goodLength, damaged) = JournalRecord.ReadAll(File.ReadAllBytes(path));
            if (damaged)
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                file.SetLength(goodLength);
                file.Flush(flushToDisk: true);
            }

            yield return (path, records, damaged ? goodLength : null);
        }
    }

    public void OpenJournal()
    {
        lock (_lock)
        {
            _journal = Open(JournalPath, FileMode.Append);
        }
    }

    public void Append(ReadOnlySpan<byte> records, bool flushToDisk)
    {
        lock (_lock)
        {
            var journal = _journal ?? throw new ObjectDisposedException(nameof(JournalFiles));
            journal.Write(records);
            journal.Flush(flushToDisk);
        }
    }

    public void FlushToDisk()
    {
        lock (_lock)
        {
            _journal?.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// Starts a new journal; the records so far move to journal.old until a snapshot covers them. If an earlier
    /// compaction failed, journal.old is still there and the records are appended to it instead.
    /// </summary>
    public void RotateJournal()
    {
        lock (_lock)
        {
            _journal!.Flush(flushToDisk: true);
            _journal.Dispose();
            if (File.Exists(OldJournalPath))
            {
                using (var old = Open(OldJournalPath, FileMode.Append))
                using (var current = File.OpenRead(JournalPath))
                {
                    current.CopyTo(old);
                    old.Flush(flushToDisk: true);
                }

                File.Delete(JournalPath);
            }
            else
            {
                File.Move(JournalPath, OldJournalPath);
            }

            _journal = Open(JournalPath, FileMode.Append);
        }
    }

    /// <summary>Writes the snapshot beside, flushes it, renames it into place, then drops journal.old.</summary>
    public void WriteSnapshot(AccessSnapshot snapshot)
    {
        var temporary = SnapshotPath + ".tmp";
        using (var file = Open(temporary, FileMode.Create))
        {
            JsonSerializer.Serialize(file, snapshot, JournalRecord.Json);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, SnapshotPath, overwrite: true);
        lock (_lock)
        {
            File.Delete(OldJournalPath);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _journal?.Flush(flushToDisk: true);
            _journal?.Dispose();
            _journal = null;
        }
    }

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return new FileStream(path, options);
    }
}

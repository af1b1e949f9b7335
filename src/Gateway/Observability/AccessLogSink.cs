namespace Gateway.Observability;

/// <summary>Where access-log lines go: standard output, or a file rotated by size.</summary>
internal abstract class AccessLogSink : IDisposable
{
    /// <summary>Largest write that stays whole when other writers share the output (a pipe's PIPE_BUF).</summary>
    public abstract int BatchLimit { get; }

    public abstract string Description { get; }

    public abstract void Write(ReadOnlySpan<byte> lines);

    public abstract void Flush();

    public abstract void Dispose();

    public static AccessLogSink Open(AccessLogSettings settings) =>
        settings.Path is null ? new StandardOutputSink() : new RotatingFileSink(settings.Path, settings.MaxSize, settings.MaxFiles);
}

/// <summary>
/// Standard output, shared with the console logger: lines are written in batches of whole lines no bigger than a pipe
/// writes atomically, so they never interleave mid-line with log messages.
/// </summary>
internal sealed class StandardOutputSink : AccessLogSink
{
    private readonly Stream _stdout = Console.OpenStandardOutput();

    public override int BatchLimit => 4096;

    public override string Description => "standard output";

    public override void Write(ReadOnlySpan<byte> lines) => _stdout.Write(lines);

    public override void Flush() => _stdout.Flush();

    public override void Dispose() => _stdout.Dispose();
}

/// <summary>
/// A file, opened for appending with mode 0640, rotated when a write would take it past the size limit:
/// <c>access.log</c> becomes <c>access.log.1</c>, <c>.1</c> becomes <c>.2</c> and so on, and the oldest is deleted.
/// </summary>
internal sealed class RotatingFileSink : AccessLogSink
{
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string _path;
    private readonly long _maxSize;
    private readonly int _maxFiles;
    private FileStream _file;

    public RotatingFileSink(string path, long maxSize, int maxFiles)
    {
        _path = path;
        _maxSize = maxSize;
        _maxFiles = maxFiles;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _file = OpenFile();
    }

    public override int BatchLimit => 64 * 1024;

    public override string Description => _path;

    public override void Write(ReadOnlySpan<byte> lines)
    {
        if (_file.Length > 0 && _file.Length + lines.Length > _maxSize)
        {
            Rotate();
        }

        _file.Write(lines);
    }

    public override void Flush() => _file.Flush();

    public override void Dispose() => _file.Dispose();

    private void Rotate()
    {
        _file.Dispose();
        File.Delete(Numbered(_maxFiles));
        for (var i = _maxFiles - 1; i >= 1; i--)
        {
            if (File.Exists(Numbered(i)))
            {
                File.Move(Numbered(i), Numbered(i + 1), overwrite: true);
            }
        }

        File.Move(_path, Numbered(1), overwrite: true);
        _file = OpenFile();
    }

    private string Numbered(int index) => $"{_path}.{index}";

    private FileStream OpenFile()
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        return new FileStream(_path, options);
    }
}

namespace Gateway.Hosting;

/// <summary>
/// The directory for everything the gateway writes (keys, certificates, the admin socket, journals). Created 0700
/// when missing; a directory that others can read is reported, since keys will live there.
/// </summary>
internal sealed partial class StateDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public StateDirectory(string path, ILogger<StateDirectory> logger)
    {
        Path = path;
        if (!Directory.Exists(path))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, OwnerOnly);
            }

            Log.Created(logger, path);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            Log.TooOpen(logger, path, Convert.ToString((int)File.GetUnixFileMode(path), 8));
        }
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.StateDirectoryCreated, LogLevel.Information, "Created state directory {Path} (mode 0700).")]
        public static partial void Created(ILogger logger, string path);

        [LoggerMessage(Observability.EventIds.StateDirectoryTooOpen, LogLevel.Warning, "State directory {Path} has mode {Mode}; keys are kept there, so restrict it with chmod 700.")]
        public static partial void TooOpen(ILogger logger, string path, string mode);
    }
}

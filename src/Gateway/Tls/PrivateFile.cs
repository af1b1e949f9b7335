namespace Gateway.Tls;

/// <summary>
/// Files holding secrets (private keys) in the state directory: written owner-only (0600) and atomically, and
/// refused on read when anyone else may read or write them.
/// </summary>
internal static class PrivateFile
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Writes through a temporary file and a rename, so a crash never leaves half a key behind.</summary>
    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerReadWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a secret file; null when it does not exist; <see cref="PrivateFileException"/> when it is too open.</summary>
    public static string? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        CheckMode(path);
        return File.ReadAllText(path);
    }

    public static void CheckMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & Others) != 0)
        {
            throw new PrivateFileException(
                $"{path} holds a private key but has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; it must be readable by its owner only: chmod 600 {path}");
        }
    }
}

/// <summary>A secret file others may read: the gateway refuses to use it (and fails to start rather than leak it).</summary>
internal sealed class PrivateFileException(string message) : IOException(message);

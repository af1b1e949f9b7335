using System.Net.Sockets;
using System.Runtime.Versioning;

namespace Gateway.RuntimeApi;

/// <summary>
/// The runtime API's Unix socket file, made as HAProxy makes its own: bound under a temporary name, given its mode and
/// owner, listening, and only then renamed over the configured path, so no client ever sees it with the wrong
/// permissions and a restart replaces the old socket atomically. Removed at stop unless another process replaced it.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed class UnixSocketFile
{
    private readonly DateTime _createdAt;

    private UnixSocketFile(string path, Socket listener)
    {
        Path = path;
        Listener = listener;
        _createdAt = File.GetLastWriteTimeUtc(path);
    }

    public string Path { get; }

    public Socket Listener { get; }

    public static UnixSocketFile Bind(UnixSocketDefinition definition)
    {
        var path = definition.Path;
        if (Directory.Exists(path) || (File.Exists(path) && new FileInfo(path).Length > 0))
        {
            throw new IOException($"The runtime API socket path {path} exists and is not a socket; remove it or choose another Gateway:RuntimeApi:Socket:Path.");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(temporary);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(temporary));
            File.SetUnixFileMode(temporary, definition.Mode);
            if ((definition.Uid is not null || definition.Gid is not null) && UnixAccounts.Chown(temporary, definition.Uid, definition.Gid) is var errno and not 0)
            {
                throw new IOException(
                    $"The runtime API socket {path} cannot be given owner {definition.Uid?.ToString() ?? "-"} and group {definition.Gid?.ToString() ?? "-"} " +
                    $"(errno {errno}); the gateway must run as root to give it away, or leave User and Group unset.");
            }

            listener.Listen(RuntimeApiHost.Backlog);
            File.Move(temporary, path, overwrite: true);
            return new UnixSocketFile(path, listener);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            File.Delete(temporary);
            throw e is IOException ? e : new IOException($"The runtime API cannot listen on {path}: {e.Message}", e);
        }
    }

    /// <summary>Deletes the socket file, unless a newer process has put its own there since.</summary>
    public void Remove()
    {
        try
        {
            if (File.Exists(Path) && File.GetLastWriteTimeUtc(Path) == _createdAt)
            {
                File.Delete(Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Stopping anyway; a stale socket file is replaced at the next start.
        }
    }
}

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real HAProxy (Debian's haproxy) in the foreground with a config the test writes, on loopback ports the test
/// picks. Killed on dispose.
/// </summary>
public static class HaproxyProcess
{
    /// <summary>Starts HAProxy with <paramref name="config"/> and waits until <paramref name="waitForPort"/> accepts connections.</summary>
    public static async Task<ServerProcess> StartAsync(string config, int waitForPort)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-haproxy-").FullName;
        var path = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config.EndsWith('\n') ? config : config + "\n");
        return await ServerProcess.StartAsync("haproxy", "haproxy", ["-db", "-f", path], directory, waitForPort);
    }
}

namespace Gateway.Tests.TestSupport;

/// <summary>Paths in the repository this test run was built from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ShippedConfig => Path.Combine(Root, "config", "appsettings.json");

    /// <summary>The gateway's own build output, in the same configuration as the tests.</summary>
    public static string GatewayDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(Root, "src", "Gateway", "bin", configuration, "net10.0", "Gateway.dll");
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}

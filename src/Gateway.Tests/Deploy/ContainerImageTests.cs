using System.Globalization;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>
/// The Dockerfile, checked without a Docker engine: its stages carried out on files (<see cref="SimulatedImage"/>), then
/// the published app started from the image's paths, with the image's environment, as its ENTRYPOINT says.
/// </summary>
public sealed class ContainerImageTests(SimulatedImage image) : IClassFixture<SimulatedImage>
{
    [Fact]
    public void Image_RunsAsNonRoot_WithTheStateVolume_AndExposesTheWebPorts()
    {
        var final = image.Final;
        var environment = final.Environment();

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", final.Image, StringComparison.Ordinal);
        var user = Assert.Single(final.All("USER")).Arguments.Single();
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.Equal("/var/lib/gateway", environment["Gateway__StateDirectory"]);
        Assert.Contains(environment["Gateway__StateDirectory"], Assert.Single(final.All("VOLUME")).Arguments);
        Assert.Equal(["80", "443"], Assert.Single(final.All("EXPOSE")).Arguments);
        var config = DeployFiles.Compile(File.ReadAllText(Path.Combine(image.WorkingDirectory, "config", "appsettings.json")));
        Assert.Equal([80, 443], config.Listeners.Select(l => l.Port).Order());
        Assert.Equal(["CMD", "dotnet", "Gateway.dll", "healthcheck"], final.Last("HEALTHCHECK")!.Arguments);
        Assert.Equal(["dotnet", "Gateway.dll"], final.Last("ENTRYPOINT")!.Arguments);
    }

    [Fact]
    public async Task PublishedApp_StartsFromTheImagePaths_ServesAndPassesItsHealthcheck_WritingNothingOutsideTheStateVolume()
    {
        var app = image.WorkingDirectory;
        Assert.True(File.Exists(Path.Combine(app, "Gateway.dll")), image.BuildLog);
        Assert.True(File.Exists(Path.Combine(app, "config", "appsettings.json")), "the image's config is at /app/config/appsettings.json");
        Assert.False(File.Exists(Path.Combine(app, "Gateway")), "no apphost: the image runs `dotnet Gateway.dll`");
        var before = Snapshot(image.Root);

        var state = Path.Combine(image.Directory, "volume");
        var home = Path.Combine(image.Directory, "home");
        Directory.CreateDirectory(home);
        var (http, https, management, demo) = (FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get());
        var environment = new Dictionary<string, string>(image.Final.Environment())
        {
            // The volume, and ports a test may bind (the image's own are 80, 443 and 9090, and 8081 for the demo).
            ["Gateway__StateDirectory"] = state,
            ["Gateway__Listeners__http__Port"] = Text(http),
            ["Gateway__Listeners__https__Port"] = Text(https),
            ["Gateway__Management__Port"] = Text(management),
            ["Gateway__DemoUpstream__Port"] = Text(demo),
            ["Gateway__Clusters__demo__Destinations__whoami__Address"] = $"http://127.0.0.1:{Text(demo)}",
            ["HOME"] = home,
        };
        var entrypoint = image.Final.Last("ENTRYPOINT")!.Arguments;
        await using var gateway = GatewayProcess.StartDll(Path.Combine(app, entrypoint[1]), app, environment);
        await gateway.WaitForOutputAsync("Gateway started");
        Assert.False(gateway.HasExited, gateway.Errors);

        using var client = new HttpClient();
        var page = await client.GetStringAsync(new Uri($"http://127.0.0.1:{Text(http)}/from-the-image"));
        using var tls = TlsProbe.Client(https, root: null, acceptAny: true);
        var securePage = await tls.GetStringAsync(new Uri("https://localhost/over-tls"));
        var healthcheck = image.Final.Last("HEALTHCHECK")!.Arguments.Skip(1).ToArray();
        await using var probe = GatewayProcess.StartDll(Path.Combine(app, healthcheck[1]), app, environment, healthcheck[2..]);
        var probeExit = await probe.WaitForExitAsync();
        gateway.Terminate();

        Assert.Contains("It works: this page came through Gateway", page, StringComparison.Ordinal);
        Assert.Contains("It works: this page came through Gateway", securePage, StringComparison.Ordinal);
        Assert.True(probeExit == 0, probe.Output + probe.Errors);
        Assert.Contains("healthz: ok", probe.Output, StringComparison.Ordinal);
        Assert.Equal(0, await gateway.WaitForExitAsync());
        Assert.Contains("GET /from-the-image HTTP/1.1", gateway.Output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(image.Root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        Assert.True(Directory.Exists(state));
        Assert.NotEmpty(Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories)); // the self-signed certificate
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static string[] Snapshot(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
}

using System.Net;
using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// <c>gateway healthcheck</c> and <c>gateway drain</c>: small clients of the running gateway's management listener,
/// for places that have no curl (the container image's HEALTHCHECK, a Kubernetes preStop hook). They read the same
/// configuration and environment as the gateway to find the listener, unless <c>--url</c> names it.
/// </summary>
internal static class ProbeCommands
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>GET /healthz (or /readyz with --ready): exit 0 when it answers 200, 1 otherwise.</summary>
    public static async Task<int> HealthCheckAsync(GatewayCommandLine commandLine, TextWriter output, TextWriter error)
    {
        if (ManagementUrl(commandLine, error) is not { } baseUrl)
        {
            return 1;
        }

        var path = commandLine.Ready ? "readyz" : "healthz";
        using var client = CreateClient();
        try
        {
            using var response = await client.GetAsync(new Uri(baseUrl, path));
            var body = (await response.Content.ReadAsStringAsync()).Trim();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                await output.WriteLineAsync($"{path}: {body}");
                return 0;
            }

            await error.WriteLineAsync($"{path}: {(int)response.StatusCode} {body}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"{path}: no answer from {baseUrl}: {e.Message}");
        }

        return 1;
    }

    /// <summary>POST /drain, then wait (--wait, default 5s) while load balancers notice.</summary>
    public static async Task<int> DrainAsync(GatewayCommandLine commandLine, TextWriter output, TextWriter error)
    {
        if (ManagementUrl(commandLine, error) is not { } baseUrl)
        {
            return 1;
        }

        using var client = CreateClient();
        try
        {
            using var response = await client.PostAsync(new Uri(baseUrl, "drain"), content: null);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                await error.WriteLineAsync($"drain: {(int)response.StatusCode} {(await response.Content.ReadAsStringAsync()).Trim()}");
                return 1;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"drain: no answer from {baseUrl}: {e.Message}");
            return 1;
        }

        var wait = commandLine.Wait ?? TimeSpan.FromSeconds(5);
        await output.WriteLineAsync($"drain: not ready from now on; waiting {Duration.Format(wait)} for load balancers to stop sending.");
        await Task.Delay(wait);
        return 0;
    }

    private static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = RequestTimeout };

    private static Uri? ManagementUrl(GatewayCommandLine commandLine, TextWriter error)
    {
        if (commandLine.Url is { } url)
        {
            return new Uri(url.EndsWith('/') ? url : url + "/");
        }

        var builder = GatewayApplication.CreateBuilder(commandLine);
        var (config, errors, _) = GatewayApplication.CompileConfig(builder);
        if (config is null)
        {
            error.WriteLine($"Configuration is invalid: {errors.Count} error(s); the management listener cannot be found.");
            foreach (var problem in errors)
            {
                error.WriteLine("  - " + problem);
            }

            return null;
        }

        var management = config.Management;
        var host = management switch
        {
            { Localhost: true } or { Address: null } => "127.0.0.1",
            { Address: var a } when a.Equals(IPAddress.Any) => "127.0.0.1",
            { Address: var a } when a.Equals(IPAddress.IPv6Any) => "[::1]",
            { Address: var a } when a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{a}]",
            { Address: var a } => a.ToString(),
        };
        return new Uri($"http://{host}:{management.Port}/");
    }
}

using System.Globalization;
using System.Net;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Demo;

/// <summary>The embedded default: config/appsettings.json as shipped, which README's run command uses.</summary>
public sealed class ShippedConfigTests
{
    [Fact]
    public async Task ShippedConfig_Validates()
    {
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", RepositoryPaths.ShippedConfig]), output, errors);

        Assert.True(exit == 0, errors.ToString());
        Assert.Contains("Configuration is valid", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShippedConfig_DemoRouteAnswersThroughTheGateway()
    {
        // The shipped file as is, with only its ports moved to free ones (on the command line, as an operator could).
        var http = FreePort.Get();
        var https = FreePort.Get();
        var demo = FreePort.Get();
        var state = Path.Combine(Path.GetTempPath(), "gateway-shipped-" + Guid.NewGuid().ToString("N")[..8]);
        var commandLine = GatewayCommandLine.Parse(
        [
            "--config", RepositoryPaths.ShippedConfig,
            $"--Gateway:StateDirectory={state}",
            $"--Gateway:Listeners:http:Port={http}",
            $"--Gateway:Listeners:https:Port={https}",
            $"--Gateway:Management:Port={FreePort.Get()}",
            $"--Gateway:DemoUpstream:Port={demo}",
            $"--Gateway:Clusters:demo:Destinations:whoami:Address=http://127.0.0.1:{demo}",
        ]);
        await using var app = GatewayApplication.Build(commandLine);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient();
            var response = await client.GetAsync(new Uri($"http://127.0.0.1:{http.ToString(CultureInfo.InvariantCulture)}/hello?name=gateway"));
            var page = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("It works: this page came through Gateway", page, StringComparison.Ordinal);
            Assert.Contains("GET /hello?name=gateway HTTP/1.1", page, StringComparison.Ordinal);
            Assert.Contains("X-Forwarded-For", page, StringComparison.Ordinal);

            // Beside http, https with the self-signed certificate generated into the state directory.
            using var tls = TlsProbe.Client(https, root: null, acceptAny: true);
            var secure = await tls.GetAsync(new Uri("https://localhost/over-tls"));
            Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
            Assert.Contains("GET /over-tls HTTP/", await secure.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(state, "tls", "self-signed.pem")));
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(state, recursive: true);
        }
    }
}

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
    public async Task ShippedConfig_WalksTheAccessFlowToTheDemoPage()
    {
        // The shipped file as is, with only its ports moved to free ones (on the command line, as an operator could).
        var http = FreePort.Get();
        var https = FreePort.Get();
        var demo = FreePort.Get();
        var state = Path.Combine(Path.GetTempPath(), "gateway-shipped-" + Guid.NewGuid().ToString("N")[..8]);
        string[] overrides =
        [
            "--config", RepositoryPaths.ShippedConfig,
            $"--Gateway:StateDirectory={state}",
            $"--Gateway:Listeners:http:Port={http}",
            $"--Gateway:Listeners:https:Port={https}",
            $"--Gateway:Management:Port={FreePort.Get()}",
            $"--Gateway:DemoUpstream:Port={demo}",
            $"--Gateway:Clusters:demo:Destinations:whoami:Address=http://127.0.0.1:{demo}",
        ];
        await using var app = GatewayApplication.Build(GatewayCommandLine.Parse(overrides));
        await app.StartAsync();
        try
        {
            // The demo route is protected with ip+kat: 127.0.0.1 is listed, but without a session the page says no.
            using var client = new HttpClient();
            var refused = await client.GetAsync(new Uri($"http://127.0.0.1:{http.ToString(CultureInfo.InvariantCulture)}/hello?name=gateway"));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("You need an access link", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // README's "Try the access flow": `gateway kat demo` issues a token through the runtime socket.
            var output = new StringWriter();
            var errors = new StringWriter();
            var exit = await GatewayCommandLine.Parse(["kat", "demo", "tester", .. overrides]).RunCommandAsync(output, errors);
            Assert.True(exit == 0, errors.ToString());
            var url = new Uri(output.ToString().Trim().Split('\n')[^1]);
            Assert.Equal(("https", https), (url.Scheme, url.Port));

            // Following it once gives the session cookie and a redirect to the page without the token.
            using var tls = TlsProbe.Client(https, root: null, acceptAny: true);
            var redeemed = await tls.GetAsync(new Uri("https://localhost" + url.PathAndQuery));
            Assert.Equal(HttpStatusCode.Found, redeemed.StatusCode);
            Assert.Equal("/", redeemed.Headers.Location!.OriginalString);
            var setCookie = Assert.Single(redeemed.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith("__Host-gw_session_demo=", setCookie, StringComparison.Ordinal);

            var request = new HttpRequestMessage(HttpMethod.Get, "https://localhost/hello?name=gateway");
            request.Headers.Add("Cookie", setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)]);
            var page = await tls.SendAsync(request);
            var body = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("It works: this page came through Gateway", body, StringComparison.Ordinal);
            Assert.Contains("GET /hello?name=gateway HTTP/", body, StringComparison.Ordinal);
            Assert.Contains("X-Forwarded-For", body, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(state, "tls", "self-signed.pem")));
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(state, recursive: true);
        }
    }
}

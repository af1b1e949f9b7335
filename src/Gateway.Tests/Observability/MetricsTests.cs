using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Observability;

/// <summary><c>/metrics</c> as Prometheus scrapes it, and the OTLP push.</summary>
public sealed partial class MetricsTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject App() => new()
    {
        ["Routes"] = new JsonObject { ["app"] = new JsonObject { ["Hosts"] = new JsonArray("app.example.com"), ["Cluster"] = "web" } },
        ["Clusters"] = new JsonObject { ["web"] = TestGateway.Cluster(backends.A.Url) },
    };

    [Fact]
    public async Task Metrics_ParseAsPrometheusText_AndCountersMoveWithTraffic()
    {
        await using var gateway = await TestGateway.StartAsync(App());
        using var management = gateway.CreateClient("management");
        await gateway.GetAsync("app.example.com", "/warm-up");
        var before = await ScrapeAsync(management);
        await Eventually.TrueAsync(
            async () =>
            {
                before = await ScrapeAsync(management);
                return before.Sum("gateway_requests_total") == 1 && before.Sum("gateway_request_duration_seconds_count", ("route", "app")) == 1;
            },
            "the warm-up request in the counters");

        for (var i = 0; i < 3; i++)
        {
            (await gateway.GetAsync("app.example.com", "/page")).EnsureSuccessStatusCode();
        }

        await gateway.GetAsync("unknown.example.com", "/");

        // A request is counted as its pipeline ends, which can be just after the client has the whole response.
        PrometheusScrape after = before;
        double Delta(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        await Eventually.TrueAsync(
            async () =>
            {
                after = await ScrapeAsync(management);
                return Delta("gateway_requests_total") >= 4 && Delta("gateway_request_duration_seconds_count") >= 4;
            },
            "the requests in the counters");
        Assert.Equal(3, Delta("gateway_requests_total", ("route", "app"), ("cluster", "web"), ("status", "200"), ("decision", "allow")));
        Assert.Equal(1, Delta("gateway_requests_total", ("route", "-"), ("cluster", "-"), ("status", "404"), ("decision", "-")));
        Assert.Equal(3, Delta("gateway_destination_duration_seconds_count", ("cluster", "web"), ("destination", "d0")));
        Assert.Equal(3, Delta("gateway_request_duration_seconds_count", ("route", "app"), ("cluster", "web")));
        Assert.Equal(1, Delta("gateway_request_duration_seconds_count", ("route", "-"), ("cluster", "-")));
        Assert.Equal("histogram", after.Types["gateway_destination_duration_seconds"]);
        Assert.Equal("histogram", after.Types["gateway_request_duration_seconds"]);
        Assert.Equal("gauge", after.Types["kestrel_active_connections"]);
        Assert.Contains(after.Samples, s => s.Name == "dotnet_gc_heap_total_allocated_bytes_total");

        // The framework's per-request instruments are off unless asked for (they cost every request).
        Assert.DoesNotContain(after.Samples, s => s.Name.StartsWith("http_server_", StringComparison.Ordinal) || s.Name.StartsWith("http_client_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FrameworkRequestMetrics_AddAspNetCoreAndHttpClientInstruments_AndAReloadTurnsThemOff()
    {
        var config = App();
        config["Metrics"] = new JsonObject { ["FrameworkRequestMetrics"] = true };
        await using var gateway = await TestGateway.StartAsync(config);
        using var management = gateway.CreateClient("management");

        for (var i = 0; i < 2; i++)
        {
            (await gateway.GetAsync("app.example.com", "/page")).EnsureSuccessStatusCode();
        }

        PrometheusScrape scrape = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                scrape = await ScrapeAsync(management);
                return scrape.Sum("http_server_request_duration_seconds_count", ("http_route", "/{**catch-all}"), ("http_response_status_code", "200")) == 2;
            },
            "ASP.NET Core's request duration");
        Assert.Equal(2, scrape.Sum("http_client_request_duration_seconds_count", ("server_address", "app.example.com"), ("http_response_status_code", "200")));
        Assert.Equal(2, scrape.Sum("gateway_request_duration_seconds_count", ("route", "app")));

        config = App();
        config["Metrics"] = new JsonObject { ["FrameworkRequestMetrics"] = false };
        await gateway.RewriteConfigAsync(config);
        await Eventually.TrueAsync(
            async () => !(await ScrapeAsync(management)).Samples.Any(s => s.Name.StartsWith("http_server_", StringComparison.Ordinal)),
            "the framework's instruments gone after the reload");

        (await gateway.GetAsync("app.example.com", "/page")).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await ScrapeAsync(management)).Sum("gateway_request_duration_seconds_count", ("route", "app")) == 3, "the third request counted");
        scrape = await ScrapeAsync(management);
        Assert.DoesNotContain(scrape.Samples, s => s.Name.StartsWith("http_server_", StringComparison.Ordinal) || s.Name.StartsWith("http_client_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_YarpCounters_AreBridged()
    {
        await using var gateway = await TestGateway.StartAsync(App());
        using var management = gateway.CreateClient("management");

        (await gateway.GetAsync("app.example.com", "/")).EnsureSuccessStatusCode();

        // YARP publishes its counters once a second.
        await Eventually.TrueAsync(async () => (await ScrapeAsync(management)).Sum("yarp_proxy_requests_started_total") >= 1, "YARP's requests-started counter");
        Assert.Equal("gauge", (await ScrapeAsync(management)).Types["yarp_proxy_requests_current"]);
    }

    [Fact]
    public async Task TwoGateways_InOneProcess_KeepTheirOwnNumbers()
    {
        JsonObject WithFramework()
        {
            var config = App();
            config["Metrics"] = new JsonObject { ["FrameworkRequestMetrics"] = true };
            return config;
        }

        await using var busy = await TestGateway.StartAsync(WithFramework());
        await using var idle = await TestGateway.StartAsync(WithFramework());
        using var idleManagement = idle.CreateClient("management");

        (await busy.GetAsync("app.example.com", "/")).EnsureSuccessStatusCode();
        var scrape = await ScrapeAsync(idleManagement);

        Assert.Equal(0, scrape.Sum("gateway_requests_total"));
        Assert.Equal(0, scrape.Sum("http_client_request_duration_seconds_count"));
    }

    [Fact]
    public async Task Metrics_AreNeverServedOnPublicListeners()
    {
        await using var gateway = await TestGateway.StartAsync(App());

        var response = await gateway.GetAsync("localhost", "/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("gateway_requests_total", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Disabled_AnswerNotFound()
    {
        var config = App();
        config["Metrics"] = new JsonObject { ["Enabled"] = false };
        await using var gateway = await TestGateway.StartAsync(config);
        using var management = gateway.CreateClient("management");

        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Otlp_PushesTheGatewayMetersToTheCollector()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        await using var collector = await StartCollectorAsync(received);
        var config = App();
        config["Metrics"] = new JsonObject
        {
            ["Otlp"] = new JsonObject { ["Endpoint"] = collector.Urls.First(), ["Protocol"] = "http", ["Interval"] = "200ms", ["Headers"] = new JsonObject { ["x-api-key"] = "k1" } },
        };
        await using var gateway = await TestGateway.StartAsync(config);

        (await gateway.GetAsync("app.example.com", "/")).EnsureSuccessStatusCode();

        static bool Carries(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
        await Eventually.TrueAsync(() => received.Any(r => Carries(r.Body, "gateway.requests")), "an OTLP export carrying gateway.requests");
        var export = received.First(r => Carries(r.Body, "gateway.requests"));
        Assert.Equal(("/v1/metrics", "application/x-protobuf"), (export.Path, export.ContentType));
        Assert.True(Carries(export.Body, "kestrel.active_connections"));
    }

    private static async Task<PrometheusScrape> ScrapeAsync(HttpClient management)
    {
        var response = await management.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<WebApplication> StartCollectorAsync(ConcurrentQueue<(string, string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            if (context.Request.Headers["x-api-key"] != "k1")
            {
                return Results.StatusCode(401);
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path, context.Request.ContentType ?? string.Empty, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        return app;
    }
}

using System.Diagnostics.Metrics;
using Gateway.Configuration;
using Gateway.Observability;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Observability;

/// <summary>The exposition's parts on their own: names, series, escaping, and the access log's drop counter.</summary>
public sealed class MetricsUnitTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    [Theory]
    [InlineData("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds")]
    [InlineData("gateway.requests", "{request}", "counter", "gateway_requests_total")]
    [InlineData("kestrel.active_connections", "{connection}", "gauge", "kestrel_active_connections")]
    [InlineData("a.b-c", "By", "counter", "a_b_c_bytes_total")]
    [InlineData("jobs.total", null, "counter", "jobs_total")]
    [InlineData("wait.seconds", "s", "gauge", "wait_seconds")]
    [InlineData("9lives", "1", "gauge", "_9lives")]
    public void MetricName_FollowsThePrometheusConventions(string instrument, string? unit, string kind, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, Enum.Parse<MetricKind>(kind, ignoreCase: true)));

    private static GatewayConfigManager Manager() =>
        new(ConfigCompile.Gateway("{}").Config!, new ConfigurationBuilder().Build(), null, Path.GetTempPath(), NullLogger<GatewayConfigManager>.Instance);

    [Fact]
    public void Scrape_TagsInAnyOrder_AreOneSeries_AndValuesAreEscaped()
    {
        using var bridge = new YarpMetricsBridge(Factory);
        using var collector = new MetricsCollector(Factory, bridge, [], Manager());
        var counter = Factory.Create(GatewayMetrics.MeterName).CreateCounter<long>("gateway.test.events", "{event}", "A \"test\" counter\nwith two lines.");

        counter.Add(1, new("a", "x"), new("b", 2));
        counter.Add(2, new("b", 2), new("a", "x"));
        counter.Add(5, new("a", "quote\" back\\slash\nnewline"), new("b", 2));
        var scrape = collector.Scrape();
        var parsed = PrometheusScrape.Parse(scrape);

        Assert.Equal(3, parsed.Sum("gateway_test_events_total", ("a", "x"), ("b", "2")));
        Assert.Equal(5, parsed.Sum("gateway_test_events_total", ("a", "quote\" back\\slash\nnewline")));
        Assert.Contains("# HELP gateway_test_events_total A \"test\" counter\\nwith two lines.\n", scrape, StringComparison.Ordinal);
        Assert.Contains("gateway_test_events_total{a=\"quote\\\" back\\\\slash\\nnewline\",b=\"2\"} 5\n", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_Histogram_UsesTheAdvisedBucketsCumulatively()
    {
        using var bridge = new YarpMetricsBridge(Factory);
        using var collector = new MetricsCollector(Factory, bridge, [], Manager());
        var histogram = Factory.Create(GatewayMetrics.MeterName).CreateHistogram(
            "gateway.test.latency", "s", "latency", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });

        histogram.Record(0.05);
        histogram.Record(0.5);
        histogram.Record(0.7);
        histogram.Record(3);
        var parsed = PrometheusScrape.Parse(collector.Scrape());

        Assert.Equal(1, parsed.Sum("gateway_test_latency_seconds_bucket", ("le", "0.1")));
        Assert.Equal(3, parsed.Sum("gateway_test_latency_seconds_bucket", ("le", "1")));
        Assert.Equal(4, parsed.Sum("gateway_test_latency_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(4, parsed.Sum("gateway_test_latency_seconds_count"));
        Assert.Equal(4.25, parsed.Sum("gateway_test_latency_seconds_sum"), 6);
    }

    [Fact]
    public void Scrape_MetersOfAnotherHost_AreNotShown()
    {
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var bridge = new YarpMetricsBridge(Factory);
        using var collector = new MetricsCollector(Factory, bridge, [], Manager());

        other.GetRequiredService<IMeterFactory>().Create(GatewayMetrics.MeterName).CreateCounter<long>("gateway.test.elsewhere").Add(1);

        Assert.DoesNotContain("gateway_test_elsewhere", collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void AccessLog_QueueFull_DropsWithoutBlockingAndCounts()
    {
        var (config, errors) = ConfigCompile.Gateway("""{"AccessLog":{"QueueSize":16}}""");
        Assert.Empty(errors);
        using var manager = new GatewayConfigManager(config!, new ConfigurationBuilder().Build(), null, Path.GetTempPath(), NullLogger<GatewayConfigManager>.Instance);
        using var bridge = new YarpMetricsBridge(Factory);
        using var collector = new MetricsCollector(Factory, bridge, [], Manager());
        using var writer = new AccessLogWriter(manager, new GatewayMetrics(Factory), NullLogger<AccessLogWriter>.Instance);

        // Not started: nothing drains the queue, as with an output that has stopped accepting.
        var accepted = Enumerable.Range(0, 20).Count(_ => writer.Write(new AccessLogEntry(AccessLogKind.Http)));

        Assert.Equal(16, accepted);
        Assert.Equal(4, PrometheusScrape.Parse(collector.Scrape()).Sum("gateway_access_log_dropped_total"));
    }

    public void Dispose() => _services.Dispose();
}

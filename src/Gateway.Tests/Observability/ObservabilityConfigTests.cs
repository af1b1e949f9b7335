using Gateway.Observability;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Observability;

public sealed class ObservabilityConfigTests
{
    public static TheoryData<string, string> BrokenConfigs => new()
    {
        { """{"AccessLog":{"Format":"xml"}}""", "Gateway:AccessLog:Format: 'xml' is not an access-log format; use text or json." },
        { """{"AccessLog":{"MaxSize":"10MB"}}""", "Gateway:AccessLog: sets MaxSize or MaxFiles, which rotate a file, but no Path" },
        { """{"AccessLog":{"Path":"/tmp/a.log","MaxSize":"lots"}}""", "Gateway:AccessLog:MaxSize: 'lots' is not a size; write it like 512KB, 100MB or 1GB." },
        { """{"AccessLog":{"Path":"/tmp/a.log","MaxSize":"10"}}""", "Gateway:AccessLog:MaxSize: '10' is too small; use at least 1KB." },
        { """{"AccessLog":{"Path":"/tmp/a.log","MaxFiles":0}}""", "Gateway:AccessLog:MaxFiles: 0 is out of range" },
        { """{"AccessLog":{"Path":"/tmp/logs/"}}""", "Gateway:AccessLog:Path: '/tmp/logs/' is not a file path" },
        { """{"AccessLog":{"QueueSize":1}}""", "Gateway:AccessLog:QueueSize: 1 is out of range" },
        { """{"AccessLog":{"Formt":"json"}}""", "Gateway:AccessLog:Formt: is not a known setting; did you mean 'Format'?" },
        { """{"Metrics":{"Otlp":{"Protocol":"grpc"}}}""", "Gateway:Metrics:Otlp:Endpoint: is required when other Otlp settings are given" },
        { """{"Metrics":{"Otlp":{"Endpoint":"collector:4317"}}}""", "Gateway:Metrics:Otlp:Endpoint: 'collector:4317' is not an http:// or https:// URL" },
        { """{"Metrics":{"Otlp":{"Endpoint":"http://c:4317","Protocol":"udp"}}}""", "Gateway:Metrics:Otlp:Protocol: 'udp' is not an OTLP protocol; use grpc or http." },
        { """{"Metrics":{"Otlp":{"Endpoint":"http://c:4317","Interval":"often"}}}""", "Gateway:Metrics:Otlp:Interval: 'often' is not a duration" },
        { """{"Metrics":{"Enabled":"sometimes"}}""", "Gateway:Metrics:Enabled: 'sometimes' is not true or false." },
        { """{"Metrics":{"FrameworkRequestMetrics":"yes"}}""", "Gateway:Metrics:FrameworkRequestMetrics: 'yes' is not true or false." },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Compile_BrokenSetting_NamesTheKeyAndTheFix(string gateway, string expected)
    {
        var (config, errors) = ConfigCompile.Gateway(gateway);

        Assert.Null(config);
        Assert.Contains(errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_Defaults_TextToStandardOutputAndMetricsWithoutExport()
    {
        var (config, errors) = ConfigCompile.Gateway("{}");

        Assert.Empty(errors);
        Assert.Equal(new AccessLogSettings(true, AccessLogFormat.Text, null, 100L << 20, 10, 16384), config!.AccessLog);
        Assert.Equal(new MetricsSettings(true, null), config.Metrics);
    }

    [Fact]
    public void Compile_FullSettings_AreKept()
    {
        var (config, errors) = ConfigCompile.Gateway("""
            {"AccessLog":{"Format":"JSON","Path":"/var/log/gateway/access.log","MaxSize":"5MB","MaxFiles":3,"QueueSize":100},
             "Metrics":{"FrameworkRequestMetrics":true,"Otlp":{"Endpoint":"http://collector:4318","Protocol":"http","Interval":"5s","Headers":{"api-key":"k"}}}}
            """);

        Assert.Empty(errors);
        Assert.Equal(new AccessLogSettings(true, AccessLogFormat.Json, "/var/log/gateway/access.log", 5L << 20, 3, 100), config!.AccessLog);
        Assert.True(config.Metrics.FrameworkRequestMetrics);
        var otlp = config.Metrics.Otlp!;
        Assert.Equal((new Uri("http://collector:4318"), OtlpProtocol.Http, TimeSpan.FromSeconds(5), "k"), (otlp.Endpoint, otlp.Protocol, otlp.Interval, otlp.Headers["api-key"]));
    }
}

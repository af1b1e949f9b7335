using Gateway.Access;
using Gateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Access;

/// <summary>
/// ASP.NET Core's request log prints URLs, and a redemption URL carries a KAT: whatever the logging configuration says,
/// that category never logs below Warning, and a quieter level (the gateway's default, None) is kept.
/// </summary>
public sealed class TokenLogFilterTests
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [Theory]
    [InlineData("Default=Trace")]
    [InlineData("Default=Trace", "Microsoft.AspNetCore.Hosting.Diagnostics=Trace")]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics=Debug", "Probe:Default=Trace")]
    [InlineData("Probe:Microsoft.AspNetCore.Hosting.Diagnostics=Information")]
    public void RequestLogging_AskedForVerboseLevels_StaysAtWarning(params string[] rules)
    {
        var logger = Logger(rules);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void RequestLogging_ByDefault_IsOff()
    {
        // Off altogether: while the category is on at any level, ASP.NET Core starts an Activity for every request.
        var logger = Logger([], GatewayApplication.DefaultLogLevels);

        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics=Error", LogLevel.Error)]
    [InlineData("Probe:Microsoft.AspNetCore.Hosting.Diagnostics=Critical", LogLevel.Critical)]
    [InlineData("Microsoft.AspNetCore=Error", LogLevel.Error)]
    public void RequestLogging_AskedForQuieterLevels_GetsThem(string rule, LogLevel quietest)
    {
        var logger = Logger([rule]);

        Assert.False(logger.IsEnabled(quietest - 1));
        Assert.True(logger.IsEnabled(quietest));
    }

    /// <summary>"Category=Level" for every provider, "Probe:Category=Level" for the probe provider alone.</summary>
    private static ILogger Logger(string[] rules, IEnumerable<KeyValuePair<string, string?>>? defaults = null)
    {
        var settings = new List<KeyValuePair<string, string?>>(defaults ?? []);
        foreach (var rule in rules)
        {
            var (scope, setting) = rule.Contains(':') ? (":" + typeof(ProbeProvider).FullName, rule[(rule.IndexOf(':') + 1)..]) : (string.Empty, rule);
            var (category, level) = (setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
            settings.Add(new($"Logging{scope}:LogLevel:{category}", level));
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new ProbeProvider()))
            .HoldRequestLoggingAtWarning()
            .BuildServiceProvider();
        return services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
    }

    private sealed class ProbeProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Probe();

        public void Dispose()
        {
        }

        private sealed class Probe : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}

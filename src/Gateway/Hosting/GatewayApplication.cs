using Gateway.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Gateway.Hosting;

/// <summary>The gateway's composition: builder with its config files, the capabilities, the pipeline.</summary>
internal static class GatewayApplication
{
    /// <summary>Builds the whole gateway; <paramref name="configure"/> lets tests add configuration on top.</summary>
    public static WebApplication Build(GatewayCommandLine commandLine, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = CreateBuilder(commandLine);
        configure?.Invoke(builder);
        builder.AddGateway();
        var app = builder.Build();
        app.UseGateway();
        return app;
    }

    /// <summary>
    /// Log levels that hold whatever config file is used, below every other source so any file or variable overrides
    /// them: ASP.NET Core's and YARP's per-request Information messages ("Request starting", "Proxying to") on the
    /// console cost about half the requests/s and 1.5x the CPU per request (bench/run, --variant), and the access log
    /// already records every request. The hosting layer's request diagnostics are off altogether: while that category
    /// logs at any level, ASP.NET Core starts an Activity and a logging scope for every request (and HttpClient then
    /// one more per forwarded request, and a traceparent header), about a tenth of the CPU per request in bench/run.
    /// Nothing but per-request messages is logged there; a trace listener (OpenTelemetry) still gets its Activities.
    /// </summary>
    internal static readonly KeyValuePair<string, string?>[] DefaultLogLevels =
    [
        new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
        new("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "None"),
        new("Logging:LogLevel:Yarp", "Warning"),
    ];

    /// <summary>
    /// ASP.NET Core's builder with the gateway's config files (main file plus conf.d) placed below environment
    /// variables and the command line, so <c>Gateway__...</c> overrides what the files say.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(GatewayCommandLine commandLine)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = commandLine.HostArgs,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        var source = new ConfigFolderSource(
            commandLine.ConfigPath ?? GatewayCommandLine.DefaultConfigPath,
            mainFileRequired: commandLine.ConfigPath is not null,
            reloadOnChange: commandLine.Command is null);
        var sources = builder.Configuration.Sources;
        sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLogLevels });
        var environment = sources.ToList().FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        sources.Insert(environment >= 0 ? environment : sources.Count, source);
        return builder;
    }

    /// <summary>Compiles the configuration the builder holds now, as validate and start-up both do.</summary>
    public static (GatewayConfig? Config, IReadOnlyList<ConfigError> Errors, ConfigFolderProvider? Files) CompileConfig(WebApplicationBuilder builder)
    {
        var files = ((IConfigurationRoot)builder.Configuration).Providers.OfType<ConfigFolderProvider>().FirstOrDefault();
        var (config, errors) = GatewayConfigCompiler.Compile(builder.Configuration, files?.LoadErrors ?? [], builder.Environment.ContentRootPath, revision: 1);
        return (config, errors, files);
    }
}

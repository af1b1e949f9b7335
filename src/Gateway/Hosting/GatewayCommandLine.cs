namespace Gateway.Hosting;

/// <summary>
/// The gateway's own command-line words; everything else goes on to ASP.NET Core's configuration, so
/// <c>--Gateway:Listeners:http:Port=8081</c> overrides a setting as an environment variable would.
/// </summary>
internal sealed record GatewayCommandLine(string? Command, string? ConfigPath, string[] HostArgs, string? Error)
{
    /// <summary>The command's own words (kat: the list and the user).</summary>
    public string[] Arguments { get; init; } = [];

    public const string DefaultConfigPath = "config/appsettings.json";

    public const string Usage = """
        Usage: gateway [validate | healthcheck [--ready] | drain [--wait DURATION]] [--url URL] [--config PATH] [--Section:Key=value ...]
               gateway hash-key
               gateway kat <list> [user]

          (no command)    run the gateway
          validate        check the configuration, print every error, and exit (0 valid, 1 invalid)
          healthcheck     ask the running gateway's management listener for /healthz (--ready: /readyz); exit 0 when
                          it answers 200, 1 otherwise (the container image's HEALTHCHECK)
          kat             issue a KAT for an access list through the running gateway's runtime socket and print
                          the URL that redeems it (for trying the access flow)
          hash-key        make an admin API key and print it with the hash for Gateway:AdminApi:Keys:<name>:Hash
                          (a key piped on standard input is hashed instead)
          drain           tell the running gateway to answer not-ready while it keeps serving, then wait (--wait,
                          default 5s) for load balancers to notice; for a Kubernetes preStop hook
          --url URL       the management listener to ask (default: found from the configuration, as the gateway reads it)
          --config PATH   the main config file (default config/appsettings.json); conf.d/*.json beside it is merged in
          --help          show this text

        Exit codes: 0 ok, 1 invalid configuration (or unhealthy), 2 bad command line, 3 failed to start (a port in use, say).
        """;

    private static readonly string[] Commands = ["validate", "healthcheck", "drain", "hash-key", "kat"];

    public bool IsValidate => Command == "validate";

    public bool IsHelp => Command == "help";

    /// <summary>healthcheck: ask for /readyz instead of /healthz.</summary>
    public bool Ready { get; init; }

    /// <summary>healthcheck, drain: the management listener's URL.</summary>
    public string? Url { get; init; }

    /// <summary>drain: how long to wait after turning not-ready.</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>Runs a command that is not the gateway itself and returns its exit code; null means "run the gateway".</summary>
    public async Task<int?> RunCommandAsync(TextWriter output, TextWriter error) => Command switch
    {
        "validate" => await ValidateCommand.RunAsync(this, output, error),
        "healthcheck" => await ProbeCommands.HealthCheckAsync(this, output, error),
        "drain" => await ProbeCommands.DrainAsync(this, output, error),
        "hash-key" => await RuntimeApi.AdminApi.HashKeyCommand.RunAsync(Console.In, Console.IsInputRedirected, output, error),
        "kat" => await RuntimeApi.KatCommand.RunAsync(this, output, error),
        _ => null,
    };

    public static GatewayCommandLine Parse(string[] args)
    {
        string? command = null;
        string? config = null;
        string? url = null;
        TimeSpan? wait = null;
        var ready = false;
        var rest = new List<string>();
        var arguments = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "help")
            {
                command = "help";
            }
            else if (i == 0 && Commands.Contains(arg))
            {
                command = arg;
            }
            else if (arg == "--ready" && command == "healthcheck")
            {
                ready = true;
            }
            else if (arg == "--url" && command is "healthcheck" or "drain")
            {
                if (i + 1 >= args.Length || !Uri.TryCreate(args[i + 1], UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
                {
                    return new GatewayCommandLine(null, null, [], "--url needs the management listener's URL, like http://127.0.0.1:9090.");
                }

                url = args[++i];
            }
            else if (arg == "--wait" && command == "drain")
            {
                if (i + 1 >= args.Length || !Configuration.Duration.TryParse(args[i + 1], out var duration))
                {
                    return new GatewayCommandLine(null, null, [], "--wait needs a duration, like 5s.");
                }

                wait = duration;
                i++;
            }
            else if (arg == "--config")
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return new GatewayCommandLine(null, null, [], "--config needs a file path.");
                }

                config = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                config = arg["--config=".Length..];
            }
            else if (command == "kat" && !arg.StartsWith('-'))
            {
                arguments.Add(arg);
            }
            else if (!arg.StartsWith('-') && !arg.Contains('=', StringComparison.Ordinal))
            {
                return new GatewayCommandLine(null, null, [], $"Unknown command '{arg}'.");
            }
            else
            {
                rest.Add(arg);
            }
        }

        return new GatewayCommandLine(command, config, [.. rest], null) { Ready = ready, Url = url, Wait = wait, Arguments = [.. arguments] };
    }
}

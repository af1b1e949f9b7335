namespace Gateway.Hosting;

/// <summary>
/// The gateway's own command-line words; everything else goes on to ASP.NET Core's configuration, so
/// <c>--Gateway:Listeners:http:Port=8081</c> overrides a setting as an environment variable would.
/// </summary>
internal sealed record GatewayCommandLine(string? Command, string? ConfigPath, string[] HostArgs, string? Error)
{
    public const string DefaultConfigPath = "config/appsettings.json";

    public const string Usage = """
        Usage: gateway [validate] [--config PATH] [--Section:Key=value ...]
               gateway hash-key

          (no command)    run the gateway
          validate        check the configuration, print every error, and exit (0 valid, 1 invalid)
          hash-key        make an admin API key and print it with the hash for Gateway:AdminApi:Keys:<name>:Hash
                          (a key piped on standard input is hashed instead)
          --config PATH   the main config file (default config/appsettings.json); conf.d/*.json beside it is merged in
          --help          show this text

        Exit codes: 0 ok, 1 invalid configuration, 2 bad command line, 3 failed to start (a port in use, say).
        """;

    /// <summary>
    /// A command that runs instead of the gateway and exits (validate, hash-key); <see cref="ValidateCommand"/> dispatches them.
    /// </summary>
    public bool IsValidate => Command is "validate" or "hash-key";

    public bool IsHashKey => Command == "hash-key";

    public bool IsHelp => Command == "help";

    public static GatewayCommandLine Parse(string[] args)
    {
        string? command = null;
        string? config = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "help")
            {
                command = "help";
            }
            else if (arg is "validate" or "hash-key" && i == 0)
            {
                command = arg;
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
            else if (!arg.StartsWith('-') && !arg.Contains('=', StringComparison.Ordinal))
            {
                return new GatewayCommandLine(null, null, [], $"Unknown command '{arg}'.");
            }
            else
            {
                rest.Add(arg);
            }
        }

        return new GatewayCommandLine(command, config, [.. rest], null);
    }
}

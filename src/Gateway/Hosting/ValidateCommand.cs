namespace Gateway.Hosting;

/// <summary>
/// <c>gateway validate</c>: compiles the configuration exactly as start-up would, without binding anything.
/// </summary>
internal static class ValidateCommand
{
    public static async Task<int> RunAsync(GatewayCommandLine commandLine, TextWriter output, TextWriter error)
    {
        var builder = GatewayApplication.CreateBuilder(commandLine);
        var (config, errors, files) = GatewayApplication.CompileConfig(builder);
        if (config is null)
        {
            await error.WriteLineAsync($"Configuration is invalid: {errors.Count} error(s).");
            foreach (var problem in errors)
            {
                await error.WriteLineAsync("  - " + problem);
            }

            return 1;
        }

        var read = files is null || files.Files.Count == 0 ? "no config file" : string.Join(", ", files.Files.Select(f => Path.GetRelativePath(Environment.CurrentDirectory, f)));
        await output.WriteLineAsync(
            $"Configuration is valid ({read}): {config.Listeners.Length} listener(s), {config.Routes.Length} route(s), {config.Clusters.Count} cluster(s).");
        return 0;
    }
}

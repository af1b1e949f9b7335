using Gateway.Configuration;
using Gateway.Hosting;

// Composition only. The command line picks what to do; GatewayApplication wires the capabilities
// (CreateBuilder -> AddGateway -> Build -> UseGateway); each capability lives in its own folder.
RuntimeTuning.Apply();
var commandLine = GatewayCommandLine.Parse(args);
if (commandLine.Error is { } usageError)
{
    await Console.Error.WriteLineAsync(usageError + Environment.NewLine + GatewayCommandLine.Usage);
    return 2;
}

if (commandLine.IsHelp)
{
    await Console.Out.WriteLineAsync(GatewayCommandLine.Usage);
    return 0;
}

if (await commandLine.RunCommandAsync(Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

try
{
    await GatewayApplication.Build(commandLine).RunAsync();
    return 0;
}
catch (GatewayConfigException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 1;
}
catch (IOException e)
{
    // Kestrel reports a port in use as an IOException naming the address.
    await Console.Error.WriteLineAsync("Gateway could not start: " + e.Message);
    return 3;
}

/// <summary>Marker for the test host and tools that look for the entry assembly's Program type.</summary>
public partial class Program;

using System.Net;
using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.Demo;

internal static class DemoUpstreamCompiler
{
    public static ListenerDefinition? Compile(DemoUpstreamOptions options, ConfigErrors errors)
    {
        if (!options.Enabled)
        {
            return null;
        }

        if (options.Port is not (>= 0 and <= 65535))
        {
            errors.Add("Gateway:DemoUpstream:Port", "is required when the demo upstream is enabled: a free loopback port such as 8081.");
            return null;
        }

        // Loopback only: the demo page echoes request headers and is not meant for anyone else.
        return new ListenerDefinition(ListenerDefinition.DemoName, ListenerKind.Demo, "http", IPAddress.Loopback, false, options.Port.Value);
    }
}

namespace Gateway.Demo;

/// <summary>
/// A small "whoami" page the gateway serves on a loopback port of its own, so that the embedded default has an
/// upstream to route to with nothing else installed.
/// </summary>
internal sealed class DemoUpstreamOptions
{
    public bool Enabled { get; set; }

    public int? Port { get; set; }
}

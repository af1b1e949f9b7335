using Gateway.Configuration;

namespace Gateway.Hosting;

/// <summary>
/// <c>Gateway:Shutdown</c>: what happens on SIGTERM (<c>docker stop</c>, Kubernetes, systemd). <c>/readyz</c> turns
/// not-ready at once; after <see cref="ReadinessDelay"/> the listeners stop accepting; requests and connections in
/// flight get up to <see cref="DrainTimeout"/> to finish, then whatever is left is cut and the process exits 0.
/// </summary>
internal sealed class ShutdownOptions
{
    /// <summary>How long in-flight requests may take to finish once the listeners are closed (default 30s).</summary>
    public string? DrainTimeout { get; set; }

    /// <summary>
    /// How long to keep serving, not-ready, before closing the listeners, so that load balancers polling
    /// <c>/readyz</c> stop sending first (default 0s; Kubernetes users get the same from the preStop hook).
    /// </summary>
    public string? ReadinessDelay { get; set; }
}

internal sealed record ShutdownSettings(TimeSpan DrainTimeout, TimeSpan ReadinessDelay)
{
    public static ShutdownSettings Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.Zero);

    /// <summary>The host's whole stop budget: the delay, then the drain.</summary>
    public TimeSpan Total => ReadinessDelay + DrainTimeout;
}

internal static class ShutdownCompiler
{
    private const string Key = "Gateway:Shutdown";

    public static ShutdownSettings Compile(ShutdownOptions options, ConfigErrors errors)
    {
        var defaults = ShutdownSettings.Default;
        var drain = Duration.Parse(options.DrainTimeout, defaults.DrainTimeout, Key + ":DrainTimeout", errors, TimeSpan.Zero);
        var delay = Duration.Parse(options.ReadinessDelay, defaults.ReadinessDelay, Key + ":ReadinessDelay", errors, TimeSpan.Zero);
        if (drain + delay > TimeSpan.FromHours(1))
        {
            errors.Add(Key, $"DrainTimeout plus ReadinessDelay is {Duration.Format(drain + delay)}; keep the whole shutdown under 1h.");
        }

        return new ShutdownSettings(drain, delay);
    }
}

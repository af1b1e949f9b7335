using Gateway.Kubernetes;
using Microsoft.Extensions.Primitives;

namespace Gateway.Configuration;

/// <summary>
/// Holds the current <see cref="GatewayConfig"/> and replaces it when the configuration changes. A change that does
/// not compile is logged with every error and the last good configuration stays in force.
/// </summary>
internal sealed partial class GatewayConfigManager : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ConfigFolderProvider? _files;
    private readonly string _contentRoot;
    private readonly ILogger<GatewayConfigManager> _logger;
    private readonly IDisposable _subscription;
    private readonly Lock _reloadLock = new();
    private volatile GatewayConfig _current;
    private KubernetesFragment? _kubernetes;
    private CancellationTokenSource _changed = new();

    public GatewayConfigManager(
        GatewayConfig initial, IConfiguration configuration, ConfigFolderProvider? files, string contentRoot, ILogger<GatewayConfigManager> logger)
    {
        _current = initial;
        _configuration = configuration;
        _files = files;
        _contentRoot = contentRoot;
        _logger = logger;
        _subscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => Reload());
    }

    public GatewayConfig Current => _current;

    /// <summary>Fires once when a new configuration has been swapped in; take a new token after it fires.</summary>
    public IChangeToken ChangeToken => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Raised after a successful swap with the old and new configurations.</summary>
    public event Action<GatewayConfig, GatewayConfig>? Changed;

    /// <summary>Compiles the configuration as it is now; on success the result becomes current.</summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            if (_kubernetes is null || FilesConflictWithKubernetes is null)
            {
                return TryReload(_kubernetes, logErrors: true).Ok;
            }

            var (ok, errors) = TryReload(_kubernetes, logErrors: false);
            if (ok)
            {
                return true;
            }

            // New files that only clash with what the Ingresses brought (a list they name was removed, say) are not
            // refused: the controller translates the Ingresses again against them, rejecting those that no longer fit.
            var kubernetes = _kubernetes;
            if (errors.All(e => kubernetes.OwnerOf(e) is not null) &&
                GatewayConfigCompiler.Compile(_configuration, _files?.LoadErrors ?? [], _contentRoot, _current.Revision + 1).Config is { } files)
            {
                FilesConflictWithKubernetes(files);
                return false;
            }

            return TryReload(_kubernetes, logErrors: true).Ok;
        }
    }

    /// <summary>
    /// Raised (with the files compiled alone) when changed files could not be applied only because of entries the
    /// Kubernetes Ingresses brought; the handler is expected to apply a new translation made against those files.
    /// </summary>
    public event Action<GatewayConfig>? FilesConflictWithKubernetes;

    /// <summary>
    /// Swaps in what the Ingress resources now say, merged with the files. On errors nothing changes and they are
    /// returned (not logged): the Kubernetes controller pins them on the Ingresses that caused them and tries again.
    /// </summary>
    public (bool Ok, IReadOnlyList<ConfigError> Errors) ApplyKubernetes(KubernetesFragment fragment)
    {
        lock (_reloadLock)
        {
            var result = TryReload(fragment, logErrors: false);
            if (result.Ok)
            {
                _kubernetes = fragment;
            }

            return result;
        }
    }

    private (bool Ok, IReadOnlyList<ConfigError> Errors) TryReload(KubernetesFragment? kubernetes, bool logErrors)
    {
        var previous = _current;
        var (config, errors) = GatewayConfigCompiler.Compile(_configuration, _files?.LoadErrors ?? [], _contentRoot, previous.Revision + 1, kubernetes);
        if (config is null)
        {
            if (logErrors)
            {
                Log.ReloadRejected(_logger, errors.Count, previous.Revision);
                foreach (var error in errors)
                {
                    Log.ConfigErrorDetail(_logger, error.Key, error.Message);
                }
            }

            return (false, errors);
        }

        WarnAboutRestartOnlyChanges(previous, config);
        _current = config;
        Log.Reloaded(_logger, config.Revision, config.Routes.Length, config.Clusters.Count);

        var old = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
        Changed?.Invoke(previous, config);
        return (true, errors);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _changed.Dispose();
    }

    private void WarnAboutRestartOnlyChanges(GatewayConfig previous, GatewayConfig next)
    {
        if (!previous.AllListeners.SequenceEqual(next.AllListeners))
        {
            Log.ListenersNeedRestart(_logger);
        }

        if (previous.StateDirectory != next.StateDirectory)
        {
            Log.StateDirectoryNeedsRestart(_logger, previous.StateDirectory);
        }

        if (previous.Kubernetes != next.Kubernetes)
        {
            Log.KubernetesNeedsRestart(_logger);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.ConfigReloaded, LogLevel.Information, "Configuration reloaded: revision {Revision}, {Routes} routes, {Clusters} clusters.")]
        public static partial void Reloaded(ILogger logger, int revision, int routes, int clusters);

        [LoggerMessage(Observability.EventIds.ConfigReloadRejected, LogLevel.Error, "Configuration change rejected with {Count} error(s); revision {Revision} stays in force.")]
        public static partial void ReloadRejected(ILogger logger, int count, int revision);

        [LoggerMessage(Observability.EventIds.ConfigErrorDetail, LogLevel.Error, "Config error at {Key}: {Message}")]
        public static partial void ConfigErrorDetail(ILogger logger, string key, string message);

        [LoggerMessage(Observability.EventIds.ConfigNeedsRestart, LogLevel.Warning, "Listener changes take effect at the next restart; the current listeners stay bound.")]
        public static partial void ListenersNeedRestart(ILogger logger);

        [LoggerMessage(Observability.EventIds.StateDirectoryNeedsRestart, LogLevel.Warning, "A new state directory takes effect at the next restart; {Current} stays in use.")]
        public static partial void StateDirectoryNeedsRestart(ILogger logger, string current);

        [LoggerMessage(Observability.EventIds.KubernetesNeedsRestart, LogLevel.Warning, "Gateway:Kubernetes changes take effect at the next restart; the ingress controller keeps its settings.")]
        public static partial void KubernetesNeedsRestart(ILogger logger);
    }
}

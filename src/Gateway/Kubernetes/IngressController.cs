using System.Threading.Channels;
using Gateway.Configuration;
using Gateway.Observability;

namespace Gateway.Kubernetes;

/// <summary>
/// The ingress controller: one <see cref="ResourceWatcher"/> per kind, and a loop that, after any change (changes
/// arriving together are taken together), translates the resources and swaps the result into the configuration.
/// Until every kind has been listed once the gateway reports not ready, so that a new replica does not take traffic
/// with half its routes.
/// </summary>
internal sealed partial class IngressController : BackgroundService, IReadinessCheck
{
    private const int MaxAttempts = 4;

    private readonly GatewayConfigManager _config;
    private readonly KubernetesSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<IngressController> _logger;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Dictionary<string, string> _reported = new(StringComparer.Ordinal);
    private volatile GatewayConfig? _newFiles;
    private volatile bool _applied;

    public IngressController(GatewayConfigManager config, TimeProvider time, ILogger<IngressController> logger)
    {
        _config = config;
        _settings = config.Current.Kubernetes;
        _time = time;
        _logger = logger;
    }

    public string? Problem => _settings.Enabled && !_applied ? "Kubernetes resources not synced yet" : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_settings.Enabled)
        {
            return;
        }

        using var http = KubernetesHttp.Create(_settings);
        var api = new KubernetesApi(http, _settings);
        var watchers = ResourceKind.All.ToDictionary(k => k, k => new ResourceWatcher(k, api, _settings, _time, _logger));
        var translator = new IngressTranslator(_settings);
        var status = new IngressStatusWriter(api, _settings, _logger);
        Log.Started(_logger, _settings.ApiServer, _settings.IngressClass, _settings.Namespace ?? "(all)");

        _config.FilesConflictWithKubernetes += OnFilesConflict;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = watchers.Values.Select(w => w.RunAsync(() => _changes.Writer.TryWrite(true), stop.Token)).ToList();
        var reconcile = ReconcileAsync(watchers, translator, status, stop.Token);
        try
        {
            // A watcher only ends by cancellation or a bug; either way the rest stops with it.
            await await Task.WhenAny(running.Append(reconcile));
        }
        finally
        {
            _config.FilesConflictWithKubernetes -= OnFilesConflict;
            await stop.CancelAsync();
            await Task.WhenAll(running.Append(reconcile)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void OnFilesConflict(GatewayConfig files)
    {
        _newFiles = files;
        _changes.Writer.TryWrite(true);
    }

    private async Task ReconcileAsync(
        Dictionary<ResourceKind, ResourceWatcher> watchers, IngressTranslator translator, IngressStatusWriter status, CancellationToken cancellation)
    {
        while (await _changes.Reader.WaitToReadAsync(cancellation))
        {
            _changes.Reader.TryRead(out _);
            if (!watchers.Values.All(w => w.Synced))
            {
                continue;
            }

            var snapshot = new KubernetesSnapshot(
                watchers[ResourceKind.Ingresses].Objects,
                watchers[ResourceKind.IngressClasses].Objects,
                watchers[ResourceKind.Services].Objects,
                watchers[ResourceKind.EndpointSlices].Objects,
                watchers[ResourceKind.TlsSecrets].Objects);
            if (Apply(translator, snapshot) is { } translation)
            {
                _applied = true;
                await status.WriteAsync(snapshot.Ingresses.Values, translation.Accepted, cancellation);
            }
        }
    }

    /// <summary>
    /// Translates and swaps in. Should the compiled configuration still refuse something an Ingress brought (an
    /// ACME host without an ACME account configured, say), that Ingress is rejected and closed and the rest retried.
    /// </summary>
    private IngressTranslation? Apply(IngressTranslator translator, KubernetesSnapshot snapshot)
    {
        var forced = new Dictionary<string, string>(StringComparer.Ordinal);
        var newFiles = _newFiles;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var translation = translator.Translate(snapshot, FileView.From(newFiles ?? _config.Current), forced);
            var (ok, errors) = _config.ApplyKubernetes(translation.Fragment);
            if (ok)
            {
                Interlocked.CompareExchange(ref _newFiles, null, newFiles);
                Report(translation);
                return translation;
            }

            var blamed = errors.Select(e => (Error: e, Owner: translation.Fragment.OwnerOf(e))).Where(b => b.Owner is not null).ToList();
            if (blamed.Count == 0)
            {
                foreach (var error in errors)
                {
                    Log.ApplyFailed(_logger, error.Key, error.Message);
                }

                return null;
            }

            foreach (var (error, owner) in blamed)
            {
                forced.TryAdd(owner!, $"the gateway's configuration refuses it: {error.Key}: {error.Message}");
            }
        }

        return null;
    }

    /// <summary>Logs rejections and notes when they first appear or change, not on every reconcile.</summary>
    private void Report(IngressTranslation translation)
    {
        var now = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, problems) in translation.Rejected)
        {
            var message = string.Join(" ", problems);
            now["rejected " + key] = message;
            if (!_reported.TryGetValue("rejected " + key, out var before) || before != message)
            {
                Log.Rejected(_logger, key, message);
            }
        }

        foreach (var ingress in translation.Accepted)
        {
            var key = ingress.ObjectKey();
            now["accepted " + key] = ingress.Path("metadata", "generation")?.GetRawText() ?? string.Empty;
            if (!_reported.TryGetValue("accepted " + key, out var generation) || generation != now["accepted " + key])
            {
                Log.Accepted(_logger, key);
            }
        }

        foreach (var note in translation.Notes)
        {
            now["note " + note] = note;
            if (!_reported.ContainsKey("note " + note))
            {
                Log.Note(_logger, note);
            }
        }

        _reported = now;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.KubernetesStarted, LogLevel.Information, "Kubernetes: watching {ApiServer} for Ingresses of class {IngressClass} in namespace {Namespace}.")]
        public static partial void Started(ILogger logger, Uri apiServer, string ingressClass, string @namespace);

        [LoggerMessage(EventIds.KubernetesIngressRejected, LogLevel.Warning, "Kubernetes: Ingress {Ingress} rejected, its hosts are closed: {Problems}")]
        public static partial void Rejected(ILogger logger, string ingress, string problems);

        [LoggerMessage(EventIds.KubernetesIngressAccepted, LogLevel.Information, "Kubernetes: Ingress {Ingress} served.")]
        public static partial void Accepted(ILogger logger, string ingress);

        [LoggerMessage(EventIds.KubernetesRuleSkipped, LogLevel.Warning, "Kubernetes: {Note}")]
        public static partial void Note(ILogger logger, string note);

        [LoggerMessage(EventIds.KubernetesApplyFailed, LogLevel.Error, "Kubernetes: the Ingress resources could not be applied; the previous routes stay in force. {Key}: {Message}")]
        public static partial void ApplyFailed(ILogger logger, string key, string message);
    }
}

using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.Tls;

/// <summary>
/// Every certificate the TLS listeners can serve: the configured files (reloaded when they change on disk or in the
/// configuration), the self-signed certificate of the embedded default, and the certificates ACME obtains. Readers
/// take <see cref="Current"/>; every change builds a new <see cref="CertificateSnapshot"/> and swaps it in.
/// </summary>
internal sealed partial class CertificateStore : IDisposable
{
    private readonly GatewayConfigManager _config;
    private readonly StateDirectory _state;
    private readonly TimeProvider _time;
    private readonly ILogger<CertificateStore> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (CertificateSource Source, List<ServerCertificate> Certificates)> _files = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ServerCertificate> _managed = new(StringComparer.OrdinalIgnoreCase);
    private readonly CertificateFileWatcher _watcher;
    private ServerCertificate? _selfSigned;
    private volatile CertificateSnapshot _current = CertificateSnapshot.Empty;

    public CertificateStore(GatewayConfigManager config, StateDirectory state, TimeProvider time, ILogger<CertificateStore> logger)
    {
        _config = config;
        _state = state;
        _time = time;
        _logger = logger;
        _watcher = new CertificateFileWatcher(ReloadFiles);
        Apply(config.Current.Tls);
        config.Changed += OnConfigChanged;
    }

    public CertificateSnapshot Current => _current;

    /// <summary>Offers (or with null withdraws) a certificate obtained at run time, such as an ACME one.</summary>
    public void SetManaged(string id, ServerCertificate? certificate)
    {
        lock (_lock)
        {
            if (certificate is null)
            {
                _managed.TryRemove(id, out _);
            }
            else
            {
                _managed[id] = certificate;
            }

            Rebuild(_config.Current.Tls);
        }
    }

    public void Dispose()
    {
        _config.Changed -= OnConfigChanged;
        _watcher.Dispose();
    }

    private void OnConfigChanged(GatewayConfig previous, GatewayConfig next)
    {
        if (!previous.Tls.Certificates.SequenceEqual(next.Tls.Certificates) ||
            !previous.Tls.SelfSignedHosts.SequenceEqual(next.Tls.SelfSignedHosts) ||
            previous.Tls.DefaultCertificate != next.Tls.DefaultCertificate)
        {
            Apply(next.Tls);
        }
        else if (!previous.Tls.Supplied.SequenceEqual(next.Tls.Supplied))
        {
            lock (_lock)
            {
                Rebuild(next.Tls);
            }
        }
    }

    private void Apply(TlsSettings settings)
    {
        lock (_lock)
        {
            if (settings.SelfSigned)
            {
                var (certificate, created) = SelfSignedCertificate.LoadOrCreate(_state.Path, settings.SelfSignedHosts, _time);
                _selfSigned = certificate;
                if (created)
                {
                    Log.SelfSignedCreated(_logger, certificate.Origin, string.Join(", ", settings.SelfSignedHosts), certificate.NotAfter);
                }
            }
            else
            {
                _selfSigned = null;
            }

            _watcher.Watch(settings.Certificates);
            LoadFiles(settings);
        }
    }

    private void ReloadFiles()
    {
        lock (_lock)
        {
            LoadFiles(_config.Current.Tls);
        }
    }

    private void LoadFiles(TlsSettings settings)
    {
        foreach (var stale in _files.Keys.Where(name => !settings.Certificates.Any(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            _files.Remove(stale);
        }

        foreach (var source in settings.Certificates)
        {
            var problems = new List<string>();
            var loaded = CertificateFiles.Load(source, problems);
            var known = _files.TryGetValue(source.Name, out var previous) && previous.Source == source;
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Log.CertificateProblem(_logger, source.Key, problem);
                }

                if (known)
                {
                    Log.KeepingPrevious(_logger, source.Key, previous.Certificates.Count);
                    continue;
                }
            }

            var changed = !known || !previous.Certificates.Select(c => c.Leaf.Thumbprint).SequenceEqual(loaded.Select(c => c.Leaf.Thumbprint));
            _files[source.Name] = (source, loaded);
            if (changed)
            {
                Log.CertificatesLoaded(_logger, loaded.Count, source.Key, string.Join(", ", loaded.SelectMany(c => c.Names).Distinct()));
            }
        }

        Rebuild(settings);
    }

    private void Rebuild(TlsSettings settings)
    {
        var fromFiles = _files.OrderBy(f => f.Key, StringComparer.Ordinal).SelectMany(f => f.Value.Certificates).ToList();
        var defaultCertificate = settings.DefaultCertificate is { } name && _files.TryGetValue(name, out var named)
            ? named.Certificates.FirstOrDefault()
            : fromFiles.FirstOrDefault() ?? _selfSigned;
        var all = fromFiles.Concat(settings.Supplied).Concat(_managed.Values);
        if (_selfSigned is not null)
        {
            all = all.Append(_selfSigned);
        }

        _current = CertificateSnapshot.Build(all, defaultCertificate, _time.GetUtcNow());
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.CertificatesLoaded, LogLevel.Information, "Loaded {Count} certificate(s) from {Key} for: {Names}.")]
        public static partial void CertificatesLoaded(ILogger logger, int count, string key, string names);

        [LoggerMessage(Observability.EventIds.CertificateProblem, LogLevel.Error, "Certificate problem at {Key}: {Problem}")]
        public static partial void CertificateProblem(ILogger logger, string key, string problem);

        [LoggerMessage(Observability.EventIds.CertificateKeptPrevious, LogLevel.Warning, "{Key} keeps serving its previous {Count} certificate(s) until the files load cleanly.")]
        public static partial void KeepingPrevious(ILogger logger, string key, int count);

        [LoggerMessage(Observability.EventIds.SelfSignedCreated, LogLevel.Information, "Generated a self-signed certificate at {Path} for {Hosts}, valid until {NotAfter:u}.")]
        public static partial void SelfSignedCreated(ILogger logger, string path, string hosts, DateTimeOffset notAfter);
    }
}

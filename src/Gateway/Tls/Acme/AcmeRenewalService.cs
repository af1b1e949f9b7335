using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.State;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tls.Acme;

/// <summary>
/// Keeps a certificate in place for every ACME request of the configuration: at start, the stored certificates are
/// served at once (nothing is ordered unless due); then, one at a time, each is ordered when missing, renewed when
/// due, and retried with backoff after a failure, while the current certificate keeps being served. Errors it
/// understands (the server's problems, the network, timeouts, an unreachable database) are logged and retried later;
/// anything else stops the gateway. With replicas sharing PostgreSQL, an order is placed only under the storage's
/// ordering lock, after checking whether another replica stored the certificate meanwhile; what another replica
/// stores is served here as soon as it is announced.
/// </summary>
internal sealed partial class AcmeRenewalService(
    GatewayConfigManager config, CertificateStore store, AcmeChallengeResponder responder, IAcmeStorageFactory storage,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<AcmeRenewalService> logger) : BackgroundService
{
    private static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);
    private readonly Dictionary<string, ManagedCertificate> _certificates = new(StringComparer.Ordinal);
    private AcmeSession? _session;
    private IChangeToken? _storedChanged;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the listeners open: stored certificates are served from the first handshake, and a key file others
        // can read stops the start-up.
        await ApplyAsync(config.Current.Tls.Acme, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _session?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        // The authority validates on the listeners, which open after the hosted services have started: order nothing
        // before they are bound, or an early http-01 or tls-alpn-01 check finds the port closed.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stopping);
        }

        while (!stopping.IsCancellationRequested)
        {
            var changed = config.ChangeToken;
            await ApplyAsync(config.Current.Tls.Acme, stopping);
            var stored = _session?.Storage.Watch() ?? Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;
            if (_storedChanged?.HasChanged == true)
            {
                await PickUpStoredAsync(stopping);
            }

            _storedChanged = stored;
            foreach (var certificate in _certificates.Values.OrderBy(c => c.Request.Id, StringComparer.Ordinal).ToList())
            {
                if (certificate.WakeAt <= time.GetUtcNow())
                {
                    await RunAsync(certificate, stopping);
                }
            }

            var next = _certificates.Values.Select(c => c.WakeAt).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            await SleepAsync(next, changed, stored, stopping);
        }
    }

    private async Task ApplyAsync(AcmeSettings? settings, CancellationToken cancellation)
    {
        if (settings is null || _session is null || !_session.Serves(settings))
        {
            foreach (var id in _certificates.Keys)
            {
                store.SetManaged(id, null);
            }

            _certificates.Clear();
            _session?.Dispose();
            _session = null;
            if (settings is null)
            {
                return;
            }

            _session = new AcmeSession(settings, storage, responder, time, logger);
            _session.Storage.CheckKeys();
        }

        _session.Settings = settings;

        var wanted = settings.Certificates.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var (id, current) in _certificates.ToList())
        {
            if (!wanted.TryGetValue(id, out var request) || !request.SameNames(current.Request))
            {
                store.SetManaged(id, null);
                _certificates.Remove(id);
            }
        }

        foreach (var request in settings.Certificates.Where(r => !_certificates.ContainsKey(r.Id)))
        {
            var managed = new ManagedCertificate(request) { NextAttempt = time.GetUtcNow() };
            _certificates[request.Id] = managed;
            if (await LoadStoredAsync(_session.Storage, managed, cancellation) is { } loaded)
            {
                Serve(managed, loaded);
                managed.NextAttempt = RenewalSchedule.DueAt(loaded.NotBefore, loaded.NotAfter);
                Log.Loaded(logger, request.ToString(), loaded.NotAfter, managed.NextAttempt);
            }
        }
    }

    /// <summary>
    /// The stored certificate when it differs from the one served (another replica's, or the first load); null when
    /// there is none, it is the one served, or the storage cannot be read now (the next check tries again).
    /// </summary>
    private async Task<ServerCertificate?> LoadStoredAsync(IAcmeStorage storage, ManagedCertificate managed, CancellationToken cancellation)
    {
        StoredCertificateResult result;
        try
        {
            result = await storage.LoadCertificateAsync(managed.Request, cancellation);
        }
        catch (StoreUnavailableException e)
        {
            Log.StorageUnavailable(logger, managed.Request.ToString(), e.Message);
            return null;
        }

        if (result.Problem is not null)
        {
            Log.StoredUnusable(logger, result.Problem);
        }

        var stored = result.Certificate?.Certificate;
        return stored is null || stored.Leaf.Thumbprint == managed.Current?.Leaf.Thumbprint ? null : stored;
    }

    /// <summary>Serves what another replica stored, when it is newer than what is served here.</summary>
    private async Task PickUpStoredAsync(CancellationToken cancellation)
    {
        foreach (var managed in _certificates.Values.ToList())
        {
            if (_session is { } session && await PickUpAsync(session, managed, cancellation))
            {
                Log.PickedUp(logger, managed.Request.ToString(), managed.Current!.NotAfter, managed.NextAttempt);
            }
        }
    }

    private async Task<bool> PickUpAsync(AcmeSession session, ManagedCertificate managed, CancellationToken cancellation)
    {
        if (await LoadStoredAsync(session.Storage, managed, cancellation) is not { } stored ||
            (managed.Current is { } current && stored.NotAfter <= current.NotAfter))
        {
            return false;
        }

        Serve(managed, stored);
        // A newer certificate than one still waiting to be stored here: storing that one would overwrite it.
        (managed.Unstored, managed.StoreAt, managed.StoreFailures) = (null, null, 0);
        managed.Failures = 0;
        managed.NextAttempt = RenewalSchedule.NextAttempt(RenewalSchedule.DueAt(stored.NotBefore, stored.NotAfter), time.GetUtcNow(), session.Settings.RetryInterval);
        return true;
    }

    private void Serve(ManagedCertificate managed, ServerCertificate certificate)
    {
        store.SetManaged(managed.Request.Id, certificate);
        managed.Current = certificate;
        managed.RenewalInfoId = RenewalSchedule.RenewalInfoId(certificate.Leaf);
        managed.RenewalInfoCheck = managed.RenewalInfoId is null ? null : time.GetUtcNow();
    }

    private async Task RunAsync(ManagedCertificate managed, CancellationToken stopping)
    {
        var session = _session!;
        var request = managed.Request;
        try
        {
            if (managed.StoreAt <= time.GetUtcNow())
            {
                await StoreAsync(session, managed, stopping);
            }

            if (managed.RenewalInfoCheck <= time.GetUtcNow())
            {
                await CheckRenewalInfoAsync(session, managed, stopping);
            }

            if (managed.NextAttempt > time.GetUtcNow())
            {
                return;
            }

            // One replica orders at a time; the others try again later, or sooner when the winner's certificate is
            // announced. Whoever gets the lock first looks whether the certificate was stored while it waited.
            await using var ordering = await session.Storage.TryLockOrderingAsync(stopping);
            if (ordering is null)
            {
                managed.NextAttempt = time.GetUtcNow() + session.Settings.RetryInterval;
                Log.OrderingElsewhere(logger, request.ToString(), managed.NextAttempt);
                return;
            }

            if (await PickUpAsync(session, managed, stopping) && managed.NextAttempt > time.GetUtcNow())
            {
                Log.PickedUp(logger, request.ToString(), managed.Current!.NotAfter, managed.NextAttempt);
                return;
            }

            var issuer = await session.IssuerAsync(stopping);
            Log.Ordering(logger, request.ToString(), managed.Current is null ? "no certificate yet" : $"renewal due, current valid until {managed.Current.NotAfter:u}");
            var elapsed = Stopwatch.StartNew();
            var issued = await session.IssueAsync(issuer, request, managed.RenewalInfoId, stopping);
            Serve(managed, issued.Certificate);
            managed.Failures = 0;
            var due = RenewalSchedule.DueAt(issued.Certificate.NotBefore, issued.Certificate.NotAfter);
            managed.NextAttempt = RenewalSchedule.NextAttempt(due, time.GetUtcNow(), session.Settings.RetryInterval);
            Log.Issued(logger, request.ToString(), (long)elapsed.Elapsed.TotalMilliseconds, issued.Certificate.NotAfter, managed.NextAttempt);
            managed.Unstored = issued;
            managed.StoreFailures = 0;
            await StoreAsync(session, managed, stopping);
        }
        catch (Exception e) when (Understood(e, stopping))
        {
            managed.Failures++;
            var wait = RenewalSchedule.Backoff(session.Settings.RetryInterval, managed.Failures, (e as AcmeException)?.RetryAfter);
            managed.NextAttempt = time.GetUtcNow() + wait;
            var serving = managed.Current is { } current ? $"still serving the certificate valid until {current.NotAfter:u}" : "no ACME certificate is served for these names yet";
            if (e is AcmeException { IsRateLimit: true })
            {
                Log.RateLimited(logger, request.ToString(), e.Message, serving, managed.NextAttempt);
            }
            else
            {
                Log.Failed(logger, request.ToString(), managed.Failures, e.Message, serving, managed.NextAttempt);
            }
        }
    }

    /// <summary>
    /// Stores the certificate just obtained. When the storage fails (the database is down), the certificate stays
    /// served here and storing is tried again with backoff; it is never ordered again for that.
    /// </summary>
    private async Task StoreAsync(AcmeSession session, ManagedCertificate managed, CancellationToken stopping)
    {
        if (managed.Unstored is not { } issued)
        {
            managed.StoreAt = null;
            return;
        }

        try
        {
            await session.Storage.SaveCertificateAsync(managed.Request, issued.ChainPem, issued.KeyPem, stopping);
            if (managed.StoreFailures > 0)
            {
                Log.StoredLate(logger, managed.Request.ToString(), managed.StoreFailures);
            }

            (managed.Unstored, managed.StoreAt, managed.StoreFailures) = (null, null, 0);
        }
        catch (Exception e) when (e is StoreUnavailableException or IOException or UnauthorizedAccessException)
        {
            managed.StoreFailures++;
            managed.StoreAt = time.GetUtcNow() + RenewalSchedule.Backoff(session.Settings.RetryInterval, managed.StoreFailures, null);
            Log.NotStored(logger, managed.Request.ToString(), e.Message, managed.StoreAt.Value);
        }
    }

    /// <summary>Asks for renewal information (RFC 9773); a failure only postpones the question, never the renewal.</summary>
    private async Task CheckRenewalInfoAsync(AcmeSession session, ManagedCertificate managed, CancellationToken stopping)
    {
        try
        {
            var directory = await session.Client.DirectoryAsync(stopping);
            if (directory.RenewalInfo is null || managed.RenewalInfoId is null)
            {
                managed.RenewalInfoCheck = null;
                return;
            }

            var url = new Uri(directory.RenewalInfo.AbsoluteUri.TrimEnd('/') + "/" + managed.RenewalInfoId);
            var response = await session.Client.GetAsync(url, "the renewal information", stopping);
            var window = response.Read<AcmeRenewalInfo>("renewal information").SuggestedWindow;
            if (managed.Failures == 0)
            {
                managed.NextAttempt = RenewalSchedule.DueAt(window, Random.Shared.NextDouble());
            }

            var again = response.RetryAfter ?? TimeSpan.FromHours(6);
            managed.RenewalInfoCheck = time.GetUtcNow() + TimeSpan.FromTicks(Math.Clamp(again.Ticks, TimeSpan.FromMinutes(1).Ticks, TimeSpan.FromDays(1).Ticks));
            Log.Scheduled(logger, managed.Request.ToString(), window.Start, window.End, managed.NextAttempt);
        }
        catch (Exception e) when (Understood(e, stopping))
        {
            managed.RenewalInfoCheck = time.GetUtcNow() + TimeSpan.FromHours(1);
            Log.RenewalInfoFailed(logger, managed.Request.ToString(), e.Message);
        }
    }

    private async Task SleepAsync(DateTimeOffset until, IChangeToken changed, IChangeToken stored, CancellationToken stopping)
    {
        var delay = until - time.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > LongestSleep ? LongestSleep : delay;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var registration = changed.RegisterChangeCallback(static s => ((CancellationTokenSource)s!).Cancel(), wake);
        using var storedRegistration = stored.RegisterChangeCallback(static s => ((CancellationTokenSource)s!).Cancel(), wake);
        try
        {
            await Task.Delay(delay, time, wake.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // The configuration changed, or another replica stored a certificate: plan again.
        }
    }

    private static bool Understood(Exception e, CancellationToken stopping) => e switch
    {
        AcmeException or HttpRequestException or IOException or CryptographicException or JsonException or StoreUnavailableException => true,
        OperationCanceledException => !stopping.IsCancellationRequested, // an HTTP timeout, not the shutdown
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AcmeOrdering, LogLevel.Information, "Ordering a certificate for {Names} ({Reason}).")]
        public static partial void Ordering(ILogger logger, string names, string reason);

        [LoggerMessage(Observability.EventIds.AcmeIssued, LogLevel.Information, "Obtained a certificate for {Names} in {ElapsedMs} ms, valid until {NotAfter:u}; renewal due at {Due:u}.")]
        public static partial void Issued(ILogger logger, string names, long elapsedMs, DateTimeOffset notAfter, DateTimeOffset due);

        [LoggerMessage(Observability.EventIds.AcmeFailed, LogLevel.Error, "Could not obtain a certificate for {Names} (failure {Failures} in a row): {Reason} ({Serving}; next attempt at {Next:u}).")]
        public static partial void Failed(ILogger logger, string names, int failures, string reason, string serving, DateTimeOffset next);

        [LoggerMessage(Observability.EventIds.AcmeFailed, LogLevel.Error, "The certificate authority's rate limit stops the certificate for {Names}: {Reason} ({Serving}; next attempt at {Next:u}, as the server asked).")]
        public static partial void RateLimited(ILogger logger, string names, string reason, string serving, DateTimeOffset next);

        [LoggerMessage(Observability.EventIds.AcmeCertificateLoaded, LogLevel.Information, "Serving the stored ACME certificate for {Names}, valid until {NotAfter:u}; renewal due at {Due:u}.")]
        public static partial void Loaded(ILogger logger, string names, DateTimeOffset notAfter, DateTimeOffset due);

        [LoggerMessage(Observability.EventIds.AcmeStoredCertificateUnusable, LogLevel.Warning, "Ignoring a stored ACME certificate: {Problem}; a new one will be ordered.")]
        public static partial void StoredUnusable(ILogger logger, string problem);

        [LoggerMessage(Observability.EventIds.AcmeRenewalScheduled, LogLevel.Information, "The ACME server suggests renewing {Names} between {Start:u} and {End:u}; renewal due at {Due:u}.")]
        public static partial void Scheduled(ILogger logger, string names, DateTimeOffset start, DateTimeOffset end, DateTimeOffset due);

        [LoggerMessage(Observability.EventIds.AcmeCertificatePickedUp, LogLevel.Information, "Serving the certificate for {Names} that another replica stored, valid until {NotAfter:u}; renewal due at {Due:u}.")]
        public static partial void PickedUp(ILogger logger, string names, DateTimeOffset notAfter, DateTimeOffset due);

        [LoggerMessage(Observability.EventIds.AcmeOrderingElsewhere, LogLevel.Information, "Another replica is ordering a certificate; {Names} waits for it (next check at {Next:u}, or as soon as it is stored).")]
        public static partial void OrderingElsewhere(ILogger logger, string names, DateTimeOffset next);

        [LoggerMessage(Observability.EventIds.AcmeStorageUnavailable, LogLevel.Warning, "Could not read the stored ACME certificate for {Names}: {Reason}; serving what is served now and trying again later.")]
        public static partial void StorageUnavailable(ILogger logger, string names, string reason);

        [LoggerMessage(Observability.EventIds.AcmeCertificateNotStored, LogLevel.Error, "Could not store the certificate just obtained for {Names}: {Reason}; it is served by this gateway only (other replicas and a restart would not have it); trying to store it again at {Next:u}.")]
        public static partial void NotStored(ILogger logger, string names, string reason, DateTimeOffset next);

        [LoggerMessage(Observability.EventIds.AcmeCertificateStoredLate, LogLevel.Information, "Stored the certificate for {Names} after {Failures} failed attempts.")]
        public static partial void StoredLate(ILogger logger, string names, int failures);

        [LoggerMessage(Observability.EventIds.AcmeRenewalInfoFailed, LogLevel.Warning, "Could not fetch renewal information for {Names}: {Reason}; keeping the current schedule.")]
        public static partial void RenewalInfoFailed(ILogger logger, string names, string reason);
    }
}

using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls.Acme;

/// <summary>
/// Everything that depends on the account settings (directory, trust, contact): the HTTP client, the storage of that
/// authority, and the account, opened (registered) lazily on the first order so that a restart with nothing due
/// sends no request at all.
/// </summary>
internal sealed class AcmeSession : IDisposable
{
    private readonly AcmeChallengeResponder _responder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private AcmeIssuer? _issuer;

    public AcmeSession(AcmeSettings settings, IAcmeStorageFactory storage, AcmeChallengeResponder responder, TimeProvider time, ILogger logger)
    {
        Settings = settings;
        _responder = responder;
        _time = time;
        _logger = logger;
        Storage = storage.Open(settings.Directory);
        Client = new AcmeClient(CreateHttpClient(settings), settings.Directory, time, logger);
    }

    /// <summary>The settings in force; replaced by ones the session <see cref="Serves"/> (new names, retry interval).</summary>
    public AcmeSettings Settings { get; set; }

    public IAcmeStorage Storage { get; }

    public AcmeClient Client { get; }

    public async Task<AcmeIssuer> IssuerAsync(CancellationToken cancellation)
    {
        if (_issuer is null)
        {
            var account = await AcmeAccount.OpenAsync(Client, Storage, Settings, _logger, cancellation);
            _issuer = new AcmeIssuer(Client, account, _responder, Settings, _time, _logger);
        }

        return _issuer;
    }

    /// <summary>
    /// Issues through <paramref name="issuer"/>. When the server no longer knows the account (a test authority
    /// restarted, an account deactivated), the stored account is forgotten so that the next attempt registers again
    /// with the same key.
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(AcmeIssuer issuer, AcmeCertificateRequest request, string? replaces, CancellationToken cancellation)
    {
        try
        {
            return await issuer.IssueAsync(request, replaces, cancellation);
        }
        catch (AcmeException e) when (e.Problem?.Type == AcmeProblem.AccountDoesNotExist)
        {
            _issuer = null;
            await Storage.ForgetAccountAsync(cancellation);
            throw;
        }
    }

    /// <summary>Whether two settings can share one session (same authority, trust and account).</summary>
    public bool Serves(AcmeSettings other) =>
        other.AccountKey == Settings.AccountKey && other.DirectoryCaFile == Settings.DirectoryCaFile &&
        other.Challenge == Settings.Challenge && other.KeyType == Settings.KeyType && other.IssuerCaFile == Settings.IssuerCaFile &&
        other.ExternalAccount?.HmacKey.SequenceEqual(Settings.ExternalAccount?.HmacKey ?? []) != false;

    public void Dispose() => Client.Dispose();

    private static HttpClient CreateHttpClient(AcmeSettings settings)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (settings.DirectoryCaFile is { } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Gateway/" + typeof(AcmeSession).Assembly.GetName().Version?.ToString(3) + " (ACME; RFC 8555)");
        return client;
    }
}

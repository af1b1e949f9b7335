using Microsoft.Extensions.Primitives;

namespace Gateway.Tls.Acme;

/// <summary>The account and certificates of one stored ACME certificate: chain PEM, key PEM, and the served form.</summary>
internal sealed record StoredCertificate(ServerCertificate Certificate, string ChainPem);

/// <summary>What is remembered of the account besides its key: its URL and the contact it was registered with.</summary>
internal sealed record AccountRecord(Uri Url, string[] Contact, string? ExternalAccountKeyId);

/// <summary>A stored certificate, or why the stored one cannot be used (never its key).</summary>
internal sealed record StoredCertificateResult(StoredCertificate? Certificate, string? Problem);

/// <summary>
/// Where the ACME state of one authority lives: its account (key and URL) and the certificates issued, with their
/// keys. Files in the state directory for a single gateway; PostgreSQL when replicas share the access store, so that
/// they use one account and serve the same certificates. Failures to reach a database surface as
/// <see cref="State.StoreUnavailableException"/>.
/// </summary>
internal interface IAcmeStorage
{
    /// <summary>Where the account key is kept, as logs name it (a path, or the database table).</summary>
    string AccountKeyLocation { get; }

    /// <summary>Fires when another replica stored a certificate; never for file storage.</summary>
    IChangeToken Watch();

    /// <summary>Refuses, before anything else happens, a stored key that others may read.</summary>
    void CheckKeys();

    /// <summary>The account key, created and stored when there is none yet (by whichever replica comes first).</summary>
    Task<(AccountKey Key, bool Created)> LoadOrCreateAccountKeyAsync(CancellationToken cancellation);

    Task<AccountRecord?> LoadAccountAsync(CancellationToken cancellation);

    Task SaveAccountAsync(AccountRecord account, CancellationToken cancellation);

    /// <summary>Drops the account URL (not the key): the next order registers the key again.</summary>
    Task ForgetAccountAsync(CancellationToken cancellation);

    /// <summary>The stored certificate for <paramref name="request"/>; none when absent or not for exactly its names.</summary>
    Task<StoredCertificateResult> LoadCertificateAsync(AcmeCertificateRequest request, CancellationToken cancellation);

    Task SaveCertificateAsync(AcmeCertificateRequest request, string chainPem, string keyPem, CancellationToken cancellation);

    /// <summary>
    /// The right to order now, held until disposed; null when another replica is ordering. Without replicas it is
    /// always granted.
    /// </summary>
    Task<IAsyncDisposable?> TryLockOrderingAsync(CancellationToken cancellation);
}

/// <summary>Opens the <see cref="IAcmeStorage"/> of an authority, from the store the configuration chose.</summary>
internal interface IAcmeStorageFactory
{
    IAcmeStorage Open(Uri directory);
}

/// <summary>
/// Challenges published to every replica: behind a load balancer the authority's validation may reach a replica
/// other than the one that ordered, which then answers from here.
/// </summary>
internal interface ISharedAcmeChallenges
{
    /// <summary>Publishes a key authorization under <paramref name="kind"/> and <paramref name="key"/> (token or name) until disposed.</summary>
    Task<IAsyncDisposable> PublishAsync(string kind, string key, string keyAuthorization, CancellationToken cancellation);

    /// <summary>The key authorization another replica published, or null (also when the database cannot be asked).</summary>
    ValueTask<string?> FindAsync(string kind, string key, CancellationToken cancellation);
}

using System.Text.Json;
using Gateway.Hosting;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tls.Acme;

/// <summary>
/// Files of one ACME directory (one certificate authority) under the state directory:
/// <c>acme/&lt;authority&gt;/account.key</c> (0600), <c>account.json</c>, and per certificate
/// <c>certificates/&lt;first name&gt;.pem</c> (chain) with <c>.key</c> (0600). Keys readable by others are refused.
/// One process uses them, so ordering is never contended.
/// </summary>
internal sealed class FileAcmeStorage(string stateDirectory, Uri directory) : IAcmeStorage
{
    private static readonly Task<IAsyncDisposable?> Granted = Task.FromResult<IAsyncDisposable?>(new NoLock());

    public string Root { get; } = Path.Combine(stateDirectory, "acme", AcmeStorage.DirectoryName(directory));

    public string AccountKeyLocation => AccountKeyPath;

    private string AccountKeyPath => Path.Combine(Root, "account.key");

    private string AccountRecordPath => Path.Combine(Root, "account.json");

    public IChangeToken Watch() => Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;

    public void CheckKeys()
    {
        if (File.Exists(AccountKeyPath))
        {
            PrivateFile.CheckMode(AccountKeyPath);
        }
    }

    public Task<(AccountKey Key, bool Created)> LoadOrCreateAccountKeyAsync(CancellationToken cancellation)
    {
        if (PrivateFile.Read(AccountKeyPath) is { } pem)
        {
            return Task.FromResult((AccountKey.FromPem(pem), false));
        }

        var key = AccountKey.Create();
        PrivateFile.Write(AccountKeyPath, key.ExportPem());
        return Task.FromResult((key, true));
    }

    public Task<AccountRecord?> LoadAccountAsync(CancellationToken cancellation)
    {
        if (!File.Exists(AccountRecordPath))
        {
            return Task.FromResult<AccountRecord?>(null);
        }

        try
        {
            return Task.FromResult(JsonSerializer.Deserialize<AccountRecord>(File.ReadAllText(AccountRecordPath), AcmeJson.Options));
        }
        catch (JsonException)
        {
            return Task.FromResult<AccountRecord?>(null);
        }
    }

    public Task ForgetAccountAsync(CancellationToken cancellation)
    {
        File.Delete(AccountRecordPath);
        return Task.CompletedTask;
    }

    public Task SaveAccountAsync(AccountRecord account, CancellationToken cancellation)
    {
        PrivateFile.Write(AccountRecordPath, JsonSerializer.Serialize(account, AcmeJson.Options));
        return Task.CompletedTask;
    }

    public Task<StoredCertificateResult> LoadCertificateAsync(AcmeCertificateRequest request, CancellationToken cancellation)
    {
        var (chainPath, keyPath) = CertificatePaths(request);
        var keyPem = PrivateFile.Read(keyPath);
        if (keyPem is null || !File.Exists(chainPath))
        {
            return Task.FromResult(new StoredCertificateResult(null, null));
        }

        return Task.FromResult(AcmeStorage.Check(request, File.ReadAllText(chainPath), keyPem, chainPath));
    }

    public Task SaveCertificateAsync(AcmeCertificateRequest request, string chainPem, string keyPem, CancellationToken cancellation)
    {
        var (chainPath, keyPath) = CertificatePaths(request);
        // Key first: a chain on disk always has its key beside it.
        PrivateFile.Write(keyPath, keyPem);
        PrivateFile.Write(chainPath, chainPem);
        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable?> TryLockOrderingAsync(CancellationToken cancellation) => Granted;

    private (string Chain, string Key) CertificatePaths(AcmeCertificateRequest request) =>
        (Path.Combine(Root, "certificates", request.Id + ".pem"), Path.Combine(Root, "certificates", request.Id + ".key"));

    private sealed class NoLock : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>The embedded and memory stores keep ACME state in files under the state directory.</summary>
internal sealed class FileAcmeStorageFactory(StateDirectory state) : IAcmeStorageFactory
{
    public IAcmeStorage Open(Uri directory) => new FileAcmeStorage(state.Path, directory);
}

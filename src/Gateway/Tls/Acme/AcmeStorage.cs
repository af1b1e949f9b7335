using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Gateway.Tls.Acme;

/// <summary>The account and certificates of one stored ACME certificate: chain PEM, key PEM, and the served form.</summary>
internal sealed record StoredCertificate(ServerCertificate Certificate, string ChainPem);

/// <summary>What is remembered of the account besides its key: its URL and the contact it was registered with.</summary>
internal sealed record AccountRecord(Uri Url, string[] Contact, string? ExternalAccountKeyId);

/// <summary>
/// Files of one ACME directory (one certificate authority) under the state directory:
/// <c>acme/&lt;authority&gt;/account.key</c> (0600), <c>account.json</c>, and per certificate
/// <c>certificates/&lt;first name&gt;.pem</c> (chain) with <c>.key</c> (0600). Keys readable by others are refused.
/// </summary>
internal sealed class AcmeStorage(string stateDirectory, Uri directory)
{
    public string Root { get; } = Path.Combine(stateDirectory, "acme", DirectoryName(directory));

    public string AccountKeyPath => Path.Combine(Root, "account.key");

    private string AccountRecordPath => Path.Combine(Root, "account.json");

    /// <summary>A file name for the authority: host, port and path of its directory URL.</summary>
    public static string DirectoryName(Uri directory)
    {
        var text = directory.IsDefaultPort ? directory.Host : $"{directory.Host}_{directory.Port}";
        text += directory.AbsolutePath.Replace('/', '_').TrimEnd('_');
        return string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
    }

    public AccountKey LoadOrCreateAccountKey(out bool created)
    {
        if (PrivateFile.Read(AccountKeyPath) is { } pem)
        {
            created = false;
            return AccountKey.FromPem(pem);
        }

        var key = AccountKey.Create();
        PrivateFile.Write(AccountKeyPath, key.ExportPem());
        created = true;
        return key;
    }

    public AccountRecord? LoadAccount()
    {
        if (!File.Exists(AccountRecordPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<AccountRecord>(File.ReadAllText(AccountRecordPath), AcmeJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Drops the account URL (not the key): the next order registers the key again.</summary>
    public void ForgetAccount() => File.Delete(AccountRecordPath);

    public void SaveAccount(AccountRecord account) =>
        PrivateFile.Write(AccountRecordPath, JsonSerializer.Serialize(account, AcmeJson.Options));

    /// <summary>The stored certificate for <paramref name="request"/>, or null when absent or not for exactly its names.</summary>
    public StoredCertificate? LoadCertificate(AcmeCertificateRequest request, out string? problem)
    {
        problem = null;
        var (chainPath, keyPath) = CertificatePaths(request);
        var keyPem = PrivateFile.Read(keyPath);
        if (keyPem is null || !File.Exists(chainPath))
        {
            return null;
        }

        try
        {
            var chainPem = File.ReadAllText(chainPath);
            var certificate = Load(chainPem, keyPem, chainPath);
            if (!certificate.Names.Order(StringComparer.Ordinal).SequenceEqual(request.Names))
            {
                problem = $"{chainPath} is for {string.Join(", ", certificate.Names)}, not {request}";
                return null;
            }

            return new StoredCertificate(certificate, chainPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            problem = $"{chainPath} cannot be loaded with its key: {e.Message}";
            return null;
        }
    }

    public void SaveCertificate(AcmeCertificateRequest request, string chainPem, string keyPem)
    {
        var (chainPath, keyPath) = CertificatePaths(request);
        // Key first: a chain on disk always has its key beside it.
        PrivateFile.Write(keyPath, keyPem);
        PrivateFile.Write(chainPath, chainPem);
    }

    /// <summary>Builds the served form of a PEM chain (leaf first) and its key.</summary>
    public static ServerCertificate Load(string chainPem, string keyPem, string origin)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0)
        {
            throw new CryptographicException("no certificate in the chain");
        }

        var leaf = X509Certificate2.CreateFromPem(chain[0].ExportCertificatePem(), keyPem);
        chain.RemoveAt(0);
        return ServerCertificate.Create(leaf, chain, origin);
    }

    private (string Chain, string Key) CertificatePaths(AcmeCertificateRequest request) =>
        (Path.Combine(Root, "certificates", request.Id + ".pem"), Path.Combine(Root, "certificates", request.Id + ".key"));
}

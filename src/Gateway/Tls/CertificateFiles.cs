using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls;

/// <summary>
/// Reads certificates as HAProxy's <c>crt</c> takes them: a PEM file with the certificate first, then its chain, and
/// the key in the same file or beside it (<c>site.pem.key</c> or <c>site.key</c>); a PFX file; or a directory, meaning
/// every certificate file in it. Every problem is reported, naming the file.
/// </summary>
internal static class CertificateFiles
{
    // Companion files HAProxy reads beside a certificate; never certificates themselves.
    private static readonly string[] Companions = [".key", ".issuer", ".ocsp", ".sctl", ".csr", ".srl"];

    private static readonly string[] KeyLabels = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"];

    /// <summary>Loads every certificate of <paramref name="source"/>; problems go to <paramref name="problems"/>.</summary>
    public static List<ServerCertificate> Load(CertificateSource source, List<string> problems)
    {
        var result = new List<ServerCertificate>();
        if (Directory.Exists(source.Path))
        {
            if (source.KeyPath is not null)
            {
                problems.Add($"'{source.Path}' is a directory, so KeyPath cannot apply to it; put each key in its certificate's file or beside it as <file>.key.");
                return result;
            }

            var files = Directory.GetFiles(source.Path)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !Companions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            foreach (var file in files)
            {
                AddFile(file, null, source.Password, result, problems);
            }

            if (files.Count == 0)
            {
                problems.Add($"'{source.Path}' holds no certificate file.");
            }

            return result;
        }

        if (!File.Exists(source.Path))
        {
            problems.Add($"'{source.Path}' does not exist; give a PEM or PFX file, or a directory of them.");
            return result;
        }

        AddFile(source.Path, source.KeyPath, source.Password, result, problems);
        return result;
    }

    private static void AddFile(string file, string? keyPath, string? password, List<ServerCertificate> result, List<string> problems)
    {
        try
        {
            var extension = Path.GetExtension(file).ToLowerInvariant();
            var (leaf, chain) = extension is ".pfx" or ".p12" ? ReadPkcs12(file, password) : ReadPem(file, keyPath, password);
            if (ServerCertificate.CheckServerUse(leaf) is { } unusable)
            {
                problems.Add($"'{file}' {unusable}.");
                return;
            }

            result.Add(ServerCertificate.Create(leaf, chain, file));
        }
        catch (CertificateFileException e)
        {
            problems.Add($"'{file}' {e.Message}");
        }
        catch (CryptographicException e)
        {
            problems.Add($"'{file}' cannot be loaded: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"'{file}' cannot be read: {e.Message}");
        }
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) ReadPkcs12(string file, string? password)
    {
        var all = X509CertificateLoader.LoadPkcs12Collection(File.ReadAllBytes(file), password);
        var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new CertificateFileException("holds no certificate with a private key.");
        var chain = new X509Certificate2Collection();
        chain.AddRange(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
        return (leaf, chain);
    }

    private static (X509Certificate2 Leaf, X509Certificate2Collection Chain) ReadPem(string file, string? keyPath, string? password)
    {
        var text = File.ReadAllText(file);
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(text);
        if (certificates.Count == 0)
        {
            throw new CertificateFileException("holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        var (keyPem, keyFile) = FindKey(text, file, keyPath);
        var leafPem = certificates[0].ExportCertificatePem();
        X509Certificate2 leaf;
        try
        {
            var encrypted = keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal);
            if (encrypted && password is null)
            {
                throw new CertificateFileException($"has an encrypted key{(keyFile == file ? string.Empty : $" in '{keyFile}'")}; set Password.");
            }

            leaf = encrypted ? X509Certificate2.CreateFromEncryptedPem(leafPem, keyPem, password) : X509Certificate2.CreateFromPem(leafPem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateFileException($"cannot be paired with its key{(keyFile == file ? string.Empty : $" '{keyFile}'")}: {e.Message} (the first certificate in the file must be the server's own).");
        }

        var chain = new X509Certificate2Collection();
        for (var i = 1; i < certificates.Count; i++)
        {
            chain.Add(certificates[i]);
        }

        return (leaf, chain);
    }

    private static (string Pem, string File) FindKey(string text, string file, string? keyPath)
    {
        if (keyPath is not null)
        {
            if (!File.Exists(keyPath))
            {
                throw new CertificateFileException($"names KeyPath '{keyPath}', which does not exist.");
            }

            return (KeyBlock(File.ReadAllText(keyPath)) ?? throw new CertificateFileException($"names KeyPath '{keyPath}', which holds no PEM private key."), keyPath);
        }

        if (KeyBlock(text) is { } inline)
        {
            return (inline, file);
        }

        foreach (var candidate in new[] { file + ".key", Path.ChangeExtension(file, ".key") })
        {
            if (File.Exists(candidate) && KeyBlock(File.ReadAllText(candidate)) is { } beside)
            {
                return (beside, candidate);
            }
        }

        throw new CertificateFileException(
            $"holds no private key; put it in the same file (as HAProxy's crt), beside it as '{Path.GetFileName(file)}.key', or name it with KeyPath.");
    }

    private static string? KeyBlock(string text)
    {
        var rest = text.AsSpan();
        var offset = 0;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            if (KeyLabels.Contains(label, StringComparer.Ordinal))
            {
                return text.Substring(offset + fields.Location.Start.Value, fields.Location.End.Value - fields.Location.Start.Value);
            }

            offset += fields.Location.End.Value;
            rest = rest[fields.Location.End.Value..];
        }

        return null;
    }

    private sealed class CertificateFileException(string message) : Exception(message);
}

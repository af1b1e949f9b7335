using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Tls.Acme;

/// <summary>What every <see cref="IAcmeStorage"/> shares: the authority's name, and loading a stored chain with its key.</summary>
internal static class AcmeStorage
{
    /// <summary>A name for the authority (a folder, or a database key): host, port and path of its directory URL.</summary>
    public static string DirectoryName(Uri directory)
    {
        var text = directory.IsDefaultPort ? directory.Host : $"{directory.Host}_{directory.Port}";
        text += directory.AbsolutePath.Replace('/', '_').TrimEnd('_');
        return string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
    }

    /// <summary>The stored chain and key as served, if they load together and name exactly the request's names.</summary>
    public static StoredCertificateResult Check(AcmeCertificateRequest request, string chainPem, string keyPem, string origin)
    {
        try
        {
            var certificate = Load(chainPem, keyPem, origin);
            if (!certificate.Names.Order(StringComparer.Ordinal).SequenceEqual(request.Names))
            {
                return new(null, $"{origin} is for {string.Join(", ", certificate.Names)}, not {request}");
            }

            return new(new StoredCertificate(certificate, chainPem), null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return new(null, $"{origin} cannot be loaded with its key: {e.Message}");
        }
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
}

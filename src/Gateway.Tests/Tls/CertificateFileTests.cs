using System.Security.Authentication;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls;

/// <summary>Certificates from files as HAProxy's <c>crt</c> takes them, chosen by SNI, reloaded when replaced.</summary>
public sealed class CertificateFileTests(BackendsFixture backends) : IClassFixture<BackendsFixture>, IDisposable
{
    private readonly TestCertificates _ca = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-certs-").FullName;

    [Fact]
    public async Task PemFile_CertificateChainAndKeyInOneFile_ServesTheChain()
    {
        var path = Path.Combine(_directory, "site.pem");
        using var site = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(site, path, chain: _ca.Ca);
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("main", path))));

        var result = await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com", _ca.Ca);

        Assert.Equal(site.Thumbprint, result.Certificate.Thumbprint);
        Assert.True(result.ChainValid);
        using var client = TlsProbe.Client(gateway.Port("https"), _ca.Ca);
        var echo = await EchoResponse.ReadAsync(await client.GetAsync("https://www.example.com/tls"));
        Assert.Equal("https", echo.Headers["X-Forwarded-Proto"]);
    }

    [Fact]
    public async Task PemFile_KeyInASeparateFile_IsFoundBesideItOrByKeyPath()
    {
        var beside = Path.Combine(_directory, "beside.pem");
        using var a = _ca.Issue("a.example.com");
        CertificateFileWriter.WritePem(a, beside, keyPath: beside + ".key");
        var named = Path.Combine(_directory, "named.crt");
        var keyPath = Path.Combine(_directory, "elsewhere.pem");
        using var b = _ca.Issue("b.example.com");
        CertificateFileWriter.WritePem(b, named, keyPath: keyPath);
        var tls = TlsConfigs.Certificates(("a", beside));
        tls["Certificates"]!["b"] = new JsonObject { ["Path"] = named, ["KeyPath"] = keyPath };
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, tls));

        Assert.Equal(a.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "a.example.com")).Certificate.Thumbprint);
        Assert.Equal(b.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "b.example.com")).Certificate.Thumbprint);
    }

    [Fact]
    public async Task Directory_EachCertificateIsChosenBySni_WildcardsIncluded()
    {
        using var exact = _ca.Issue("app.example.com");
        using var wildcard = _ca.Issue("*.example.org");
        using var other = _ca.Issue("zz.example.net");
        CertificateFileWriter.WritePem(exact, Path.Combine(_directory, "app.pem"));
        CertificateFileWriter.WritePfx(wildcard, Path.Combine(_directory, "wild.pfx"), password: null);
        CertificateFileWriter.WritePem(other, Path.Combine(_directory, "zz.pem"), keyPath: Path.Combine(_directory, "zz.key"));
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("dir", _directory))));
        var port = gateway.Port("https");

        Assert.Equal(exact.Thumbprint, (await TlsProbe.HandshakeAsync(port, "app.example.com")).Certificate.Thumbprint);
        Assert.Equal(wildcard.Thumbprint, (await TlsProbe.HandshakeAsync(port, "x.example.org")).Certificate.Thumbprint);
        Assert.Equal(other.Thumbprint, (await TlsProbe.HandshakeAsync(port, "ZZ.Example.NET")).Certificate.Thumbprint);
        // A wildcard covers one label only; deeper names get the default (the directory's first file).
        Assert.Equal(exact.Thumbprint, (await TlsProbe.HandshakeAsync(port, "a.b.example.org")).Certificate.Thumbprint);
    }

    [Fact]
    public async Task UnknownSni_GetsTheDefaultCertificate()
    {
        using var first = _ca.Issue("first.example.com");
        using var chosen = _ca.Issue("chosen.example.com");
        CertificateFileWriter.WritePem(first, Path.Combine(_directory, "first.pem"));
        CertificateFileWriter.WritePem(chosen, Path.Combine(_directory, "chosen.pem"));
        var tls = TlsConfigs.Certificates(("a", Path.Combine(_directory, "first.pem")), ("b", Path.Combine(_directory, "chosen.pem")));
        tls["DefaultCertificate"] = "b";
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, tls));

        Assert.Equal(chosen.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "unknown.example.com")).Certificate.Thumbprint);
        Assert.Equal(chosen.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), sni: null)).Certificate.Thumbprint);
    }

    [Fact]
    public async Task StrictSni_RefusesAnUnknownNameAndServesKnownOnes()
    {
        using var site = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(site, Path.Combine(_directory, "site.pem"));
        var tls = TlsConfigs.Certificates(("main", Path.Combine(_directory, "site.pem")));
        tls["StrictSni"] = true;
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, tls));

        await Assert.ThrowsAnyAsync<Exception>(() => TlsProbe.HandshakeAsync(gateway.Port("https"), "unknown.example.com"));
        await Assert.ThrowsAnyAsync<Exception>(() => TlsProbe.HandshakeAsync(gateway.Port("https"), sni: null));
        Assert.Equal(site.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint);
        Assert.True(gateway.Logs.Contains("no certificate for the server name unknown.example.com"));
        Assert.DoesNotContain(gateway.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task CertificateFileReplacedOnDisk_IsServedWithoutRestart()
    {
        var path = Path.Combine(_directory, "site.pem");
        using var before = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(before, path);
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("main", path))));
        Assert.Equal(before.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint);

        using var after = _ca.Issue("www.example.com");
        var staged = Path.Combine(_directory, "staging.tmp");
        CertificateFileWriter.WritePem(after, staged);
        File.Move(staged, path, overwrite: true);

        await Eventually.TrueAsync(
            async () => (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint == after.Thumbprint,
            "the replaced certificate served");
    }

    [Fact]
    public async Task KubernetesSecretVolumeUpdated_NewCertificateIsServed()
    {
        // A secret volume: tls.pem -> ..data/tls.pem, ..data -> ..<timestamp>/; an update swaps the ..data link.
        using var before = _ca.Issue("www.example.com");
        using var after = _ca.Issue("www.example.com");
        Directory.CreateDirectory(Path.Combine(_directory, "..v1"));
        CertificateFileWriter.WritePem(before, Path.Combine(_directory, "..v1", "tls.pem"));
        File.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..v1");
        File.CreateSymbolicLink(Path.Combine(_directory, "tls.pem"), Path.Combine("..data", "tls.pem"));
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("secret", Path.Combine(_directory, "tls.pem")))));
        Assert.Equal(before.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint);

        Directory.CreateDirectory(Path.Combine(_directory, "..v2"));
        CertificateFileWriter.WritePem(after, Path.Combine(_directory, "..v2", "tls.pem"));
        File.CreateSymbolicLink(Path.Combine(_directory, "..data_tmp"), "..v2");
        // rename(2) over the old link, as the kubelet does (File.Move would follow the link to a directory).
        using (var rename = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(_directory, "..data_tmp"), Path.Combine(_directory, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }

        await Eventually.TrueAsync(
            async () => (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint == after.Thumbprint,
            "the updated secret served");
    }

    [Fact]
    public async Task CertificateFileBrokenOnDisk_KeepsServingThePreviousOne()
    {
        var path = Path.Combine(_directory, "site.pem");
        using var before = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(before, path);
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("main", path))));

        await File.WriteAllTextAsync(path, "-----BEGIN CERTIFICATE-----\nnot base64\n");
        await Eventually.TrueAsync(() => gateway.Logs.Contains("keeps serving its previous 1 certificate(s)"), "the broken file reported");

        Assert.Equal(before.Thumbprint, (await TlsProbe.HandshakeAsync(gateway.Port("https"), "www.example.com")).Certificate.Thumbprint);
    }

    [Fact]
    public async Task Reload_NewCertificateEntry_IsServedWithoutRestart()
    {
        using var first = _ca.Issue("first.example.com");
        using var second = _ca.Issue("second.example.com");
        CertificateFileWriter.WritePem(first, Path.Combine(_directory, "first.pem"));
        CertificateFileWriter.WritePem(second, Path.Combine(_directory, "second.pem"));
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("a", Path.Combine(_directory, "first.pem")))));

        await gateway.RewriteConfigAsync(TlsConfigs.Gateway(
            backends.A.Url, TlsConfigs.Certificates(("a", Path.Combine(_directory, "first.pem")), ("b", Path.Combine(_directory, "second.pem")))));

        await Eventually.TrueAsync(
            async () => (await TlsProbe.HandshakeAsync(gateway.Port("https"), "second.example.com")).Certificate.Thumbprint == second.Thumbprint,
            "the added certificate served");
    }

    [Fact]
    public async Task Alpn_OffersH2AndHttp11()
    {
        using var site = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(site, Path.Combine(_directory, "site.pem"));
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, TlsConfigs.Certificates(("main", Path.Combine(_directory, "site.pem")))));
        var port = gateway.Port("https");

        Assert.Equal("h2", (await TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.None, "h2", "http/1.1")).Alpn);
        Assert.Equal("http/1.1", (await TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.None, "http/1.1")).Alpn);
        using var client = TlsProbe.Client(port, _ca.Ca);
        var request = new HttpRequestMessage(HttpMethod.Get, "https://www.example.com/") { Version = new Version(2, 0), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var response = await client.SendAsync(request);
        Assert.Equal(new Version(2, 0), response.Version);
        Assert.Equal("a", (await EchoResponse.ReadAsync(response)).Backend);
    }

    [Fact]
    public async Task MinVersion13_RefusesATls12Client()
    {
        using var site = _ca.Issue("www.example.com");
        CertificateFileWriter.WritePem(site, Path.Combine(_directory, "site.pem"));
        var tls = TlsConfigs.Certificates(("main", Path.Combine(_directory, "site.pem")));
        tls["MinVersion"] = "1.3";
        await using var gateway = await TestGateway.StartAsync(TlsConfigs.Gateway(backends.A.Url, tls));
        var port = gateway.Port("https");

        await Assert.ThrowsAnyAsync<Exception>(() => TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.Tls12));
        Assert.Equal(SslProtocols.Tls13, (await TlsProbe.HandshakeAsync(port, "www.example.com")).Protocol);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

using System.Text.Json.Nodes;
using Gateway.Hosting;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls;

/// <summary>Every broken TLS or ACME setting is reported with its key and the fix, by <c>validate</c> and at start.</summary>
public sealed class TlsValidationTests(TlsValidationTests.Files files) : IClassFixture<TlsValidationTests.Files>
{
    public static TheoryData<string, string, string> BrokenConfigs => new()
    {
        { "missing file", """{"Tls":{"Certificates":{"main":{"Path":"/nonexistent/site.pem"}}}}""", "Gateway:Tls:Certificates:main:Path: '/nonexistent/site.pem' does not exist" },
        { "no key", """{"Tls":{"Certificates":{"main":{"Path":"@NOKEY"}}}}""", "holds no private key; put it in the same file (as HAProxy's crt), beside it as 'nokey.pem.key', or name it with KeyPath." },
        { "key of another certificate", """{"Tls":{"Certificates":{"main":{"Path":"@MISMATCH"}}}}""", "cannot be paired with its key" },
        { "path missing", """{"Tls":{"Certificates":{"main":{"KeyPath":"/x.key"}}}}""", "Gateway:Tls:Certificates:main:Path: is required" },
        { "unknown default", """{"Tls":{"Certificates":{"main":{"Path":"@GOOD"}},"DefaultCertificate":"other"}}""", "Gateway:Tls:DefaultCertificate: 'other' is not a certificate entry" },
        { "TLS 1.1", """{"Tls":{"SelfSigned":{"Enabled":true},"MinVersion":"1.1"}}""", "Gateway:Tls:MinVersion: '1.1' is not a TLS version this gateway offers; use 1.2 (the default) or 1.3." },
        { "https without certificates", "{}", "Gateway:Listeners:https:Protocol: is https but there are no certificates to serve" },
        { "redirect without https", """{"Listeners":{"http":{"Port":18080}},"Routes":{"app":{"Cluster":"web","RedirectToHttps":true}}}""", "Gateway:Routes:app:RedirectToHttps: needs an https listener" },
        { "typo under Tls", """{"Tls":{"Certficates":{"main":{"Path":"x.pem"}}}}""", "Gateway:Tls:Certficates: is not a known setting; did you mean 'Certificates'?" },
        { "HSTS preload without subdomains", """{"Tls":{"SelfSigned":{"Enabled":true},"Hsts":{"Preload":true}}}""", "Gateway:Tls:Hsts:Preload: needs IncludeSubDomains: true" },
        { "ACME terms not agreed", """{"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:AgreeToTermsOfService: must be true to obtain certificates for routes app" },
        { "ACME wildcard", """{"Tls":{"Acme":{"AgreeToTermsOfService":true}},"Routes":{"app":{"Hosts":["*.gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Routes:app:Hosts:0: '*.gw.example.com' is a wildcard, which http-01 and tls-alpn-01 cannot prove" },
        { "ACME without hosts", """{"Tls":{"Acme":{"AgreeToTermsOfService":true}},"Routes":{"app":{"Cluster":"web","Acme":true}}}""", "Gateway:Routes:app:Acme: needs Hosts" },
        { "ACME directory not https", """{"Tls":{"Acme":{"AgreeToTermsOfService":true,"Directory":"http://ca.example/dir"}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:Directory: 'http://ca.example/dir' is not an ACME directory" },
        { "ACME dns-01", """{"Tls":{"Acme":{"AgreeToTermsOfService":true,"Challenge":"dns-01"}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:Challenge: 'dns-01' is not a challenge this gateway answers" },
        { "ACME http-01 without http listener", """{"Listeners":{"https":{"Port":18443,"Protocol":"https"}},"Tls":{"Acme":{"AgreeToTermsOfService":true,"Challenge":"http-01"}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:Challenge: is http-01, which the authority checks on port 80, but no listener speaks plain http" },
        { "ACME key type", """{"Tls":{"Acme":{"AgreeToTermsOfService":true,"KeyType":"dsa"}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:KeyType: 'dsa' is not a key type" },
        { "ACME half an EAB", """{"Tls":{"Acme":{"AgreeToTermsOfService":true,"ExternalAccount":{"KeyId":"kid-1"}}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:ExternalAccount: needs both KeyId and HmacKey" },
        { "ACME retry too fast", """{"Tls":{"Acme":{"AgreeToTermsOfService":true,"RetryInterval":"10ms"}},"Routes":{"app":{"Hosts":["gw.example.com"],"Cluster":"web","Acme":true}}}""", "Gateway:Tls:Acme:RetryInterval: '10ms' is too short" },
        { "pass-through to no cluster", """{"Tls":{"SelfSigned":{"Enabled":true},"Acme":{"PassThrough":{"kube":{"Hosts":["*.kube.example.com"],"Cluster":"nope"}}}}}""", "Gateway:Tls:Acme:PassThrough:kube:Cluster: 'nope' is not a cluster" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public async Task Validate_BrokenTlsConfig_ReportsTheKeyAndExitsNonZero(string what, string gateway, string expected)
    {
        var path = WriteConfig(gateway);
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await ValidateCommand.RunAsync(GatewayCommandLine.Parse(["validate", "--config", path]), output, errors);

        Assert.True(exit == 1, $"{what}: expected exit 1, got {exit}. {output}{errors}");
        Assert.Contains(expected, errors.ToString(), StringComparison.Ordinal);
    }

    private string WriteConfig(string gateway)
    {
        // One http and one https listener and a cluster; each case breaks one thing.
        gateway = gateway.Replace("@NOKEY", files.NoKey, StringComparison.Ordinal).Replace("@MISMATCH", files.Mismatch, StringComparison.Ordinal).Replace("@GOOD", files.Good, StringComparison.Ordinal);
        var node = JsonNode.Parse(gateway)!.AsObject();
        node["Management"] ??= new JsonObject { ["Port"] = 19090 };
        node["Listeners"] ??= new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18080 },
            ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 18443, ["Protocol"] = "https" },
        };
        node["Clusters"] = new JsonObject { ["web"] = TestGateway.Cluster(new Uri("http://127.0.0.1:9")) };
        var path = Path.Combine(files.Directory, Guid.NewGuid().ToString("N")[..8] + ".json");
        File.WriteAllText(path, TestGateway.Serialize(node));
        return path;
    }

    /// <summary>Certificate files for the cases: a good one, one without a key, one paired with another's key.</summary>
    public sealed class Files : IDisposable
    {
        public Files()
        {
            using var ca = new TestCertificates();
            using var one = ca.Issue("one.example.com");
            using var two = ca.Issue("two.example.com");
            CertificateFileWriter.WritePem(one, Good);
            File.WriteAllText(NoKey, one.ExportCertificatePem());
            File.WriteAllText(Mismatch, one.ExportCertificatePem() + "\n" + CertificateFileWriter.KeyPem(two));
        }

        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("gateway-tlsvalidate-").FullName;

        public string Good => Path.Combine(Directory, "good.pem");

        public string NoKey => Path.Combine(Directory, "nokey.pem");

        public string Mismatch => Path.Combine(Directory, "mismatch.pem");

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}

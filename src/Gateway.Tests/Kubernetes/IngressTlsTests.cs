using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using static Gateway.Tests.Kubernetes.K8sObjects;

namespace Gateway.Tests.Kubernetes;

/// <summary>TLS Secrets named by Ingresses are served by SNI on the https listener.</summary>
public sealed class IngressTlsTests
{
    [Fact]
    public async Task TlsSecret_IsServedForItsHostBySni_AndFollowsARenewal()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        var first = harness.Certificates.Issue("secure.test");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("secrets", TlsSecret("secure-tls", first));
        harness.Api.Put("ingresses", Ingress("secure", "secure.test", "web", PortName("http"), tlsSecret: "secure-tls"));
        var gateway = await harness.StartGatewayAsync(new JsonObject
        {
            ["Listeners"] = new JsonObject
            {
                ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 },
                ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0, ["Protocol"] = "https" },
            },
            // The self-signed certificate is the default for names no Secret covers.
            ["Tls"] = new JsonObject { ["SelfSigned"] = new JsonObject { ["Enabled"] = true } },
        });
        var port = gateway.Port("https");

        await Eventually.TrueAsync(async () => (await TlsProbe.HandshakeAsync(port, "secure.test", harness.Certificates.Ca)).Certificate.Thumbprint == first.Thumbprint, "the Secret's certificate for secure.test");
        var served = await TlsProbe.HandshakeAsync(port, "secure.test", harness.Certificates.Ca);
        Assert.True(served.ChainValid);
        Assert.NotEqual(first.Thumbprint, (await TlsProbe.HandshakeAsync(port, "other.test")).Certificate.Thumbprint);

        using var client = TlsProbe.Client(port, harness.Certificates.Ca);
        var response = await client.GetAsync(new Uri("https://secure.test/"));
        Assert.Equal("pod-a", (await EchoResponse.ReadAsync(response)).Backend);

        var renewed = harness.Certificates.Issue("secure.test");
        harness.Api.Put("secrets", TlsSecret("secure-tls", renewed));
        await Eventually.TrueAsync(async () => (await TlsProbe.HandshakeAsync(port, "secure.test", harness.Certificates.Ca)).Certificate.Thumbprint == renewed.Thumbprint, "the renewed certificate");
    }
}

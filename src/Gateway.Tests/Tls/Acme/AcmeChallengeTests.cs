using System.Net;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using Gateway.Tls.Acme;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Tls.Acme;

/// <summary>What the listeners answer for challenges: only what the ACME client is validating, or the pass-through backend.</summary>
public sealed class AcmeChallengeTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject Config()
    {
        var routes = new JsonObject
        {
            ["web"] = new JsonObject { ["Hosts"] = new JsonArray("www.example.com", "a.kube.example.com"), ["Cluster"] = "a", ["RedirectToHttps"] = true },
        };
        var config = TlsConfigs.Gateway(backends.A.Url, new JsonObject
        {
            ["SelfSigned"] = new JsonObject { ["Enabled"] = true },
            ["Acme"] = new JsonObject
            {
                ["PassThrough"] = new JsonObject { ["kube"] = new JsonObject { ["Hosts"] = new JsonArray("*.kube.example.com"), ["Cluster"] = "kube" } },
            },
        }, routes);
        config["Clusters"]!["a"] = TestGateway.Cluster(backends.A.Url);
        config["Clusters"]!["kube"] = TestGateway.Cluster(backends.B.Url);
        return config;
    }

    [Fact]
    public async Task PassThroughHost_ChallengeReachesItsBackend_OtherPathsAreStillRedirected()
    {
        await using var gateway = await TestGateway.StartAsync(Config());

        var challenge = await EchoResponse.ReadAsync(await gateway.GetAsync("a.kube.example.com", "/.well-known/acme-challenge/cert-manager-token"));
        var other = await gateway.GetAsync("a.kube.example.com", "/app");

        Assert.Equal(("b", "/.well-known/acme-challenge/cert-manager-token"), (challenge.Backend, challenge.Path));
        Assert.Equal(HttpStatusCode.MovedPermanently, other.StatusCode);
    }

    [Fact]
    public async Task Challenges_AreAnsweredEvenWhereTheRoutesAccessPolicyRefusesEveryone()
    {
        var config = Config();
        config["Access"] = new JsonObject { ["Lists"] = new JsonObject { ["nobody"] = new JsonObject { ["Id"] = 500 } } };
        var web = config["Routes"]!["web"]!.AsObject();
        web["RedirectToHttps"] = false;
        web["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "nobody" };
        await using var gateway = await TestGateway.StartAsync(config);
        using var answer = gateway.Services.GetRequiredService<AcmeChallengeResponder>().AddHttp01("token-1", "token-1.thumbprint");

        var refused = await gateway.GetAsync("www.example.com", "/app");
        var own = await gateway.GetAsync("www.example.com", "/.well-known/acme-challenge/token-1");
        var passedThrough = await EchoResponse.ReadAsync(await gateway.GetAsync("a.kube.example.com", "/.well-known/acme-challenge/token-2"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("token-1.thumbprint", await own.Content.ReadAsStringAsync());
        Assert.Equal("b", passedThrough.Backend);
    }

    [Fact]
    public async Task Http01_OnlyTokensBeingValidatedAreAnswered()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        var responder = gateway.Services.GetRequiredService<AcmeChallengeResponder>();

        using (responder.AddHttp01("issued-token", "issued-token.thumbprint"))
        {
            var answered = await gateway.GetAsync("www.example.com", "/.well-known/acme-challenge/issued-token");
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal("issued-token.thumbprint", await answered.Content.ReadAsStringAsync());

            // Not ours (the backend answers, as the route says), and not a prefix of ours.
            Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/.well-known/acme-challenge/other-token"))).Backend);
            Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/.well-known/acme-challenge/issued"))).Backend);
        }

        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/.well-known/acme-challenge/issued-token"))).Backend);
    }

    [Fact]
    public async Task TlsAlpn01_ChallengeCertificateGoesOnlyToClientsOfferingAcmeTls()
    {
        await using var gateway = await TestGateway.StartAsync(Config());
        var responder = gateway.Services.GetRequiredService<AcmeChallengeResponder>();
        var port = gateway.Port("https");

        using (responder.AddTlsAlpn01("www.example.com", "token.thumbprint"))
        {
            var validator = await TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.None, "acme-tls/1");
            var browser = await TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.None, "h2", "http/1.1");

            Assert.Equal("acme-tls/1", validator.Alpn);
            Assert.NotNull(validator.Certificate.Extensions["1.3.6.1.5.5.7.1.31"]);
            Assert.True(validator.Certificate.Extensions["1.3.6.1.5.5.7.1.31"]!.Critical);
            Assert.Equal("h2", browser.Alpn);
            Assert.Null(browser.Certificate.Extensions["1.3.6.1.5.5.7.1.31"]);
        }

        // Nothing pending: an acme-tls/1 handshake is refused rather than given an ordinary certificate.
        await Assert.ThrowsAnyAsync<Exception>(() => TlsProbe.HandshakeAsync(port, "www.example.com", null, SslProtocols.None, "acme-tls/1"));
    }
}

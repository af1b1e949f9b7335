using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Gateway.Tests.TestSupport;
using Xunit.Abstractions;

namespace Gateway.Tests.Tls.Acme;

/// <summary>Pebble issuing 12-second certificates, so that renewal (at two thirds: 8 s) happens during a test.</summary>
public sealed class ShortLivedPebbleFixture : IAsyncLifetime
{
    public const int ValiditySeconds = 12;

    public PebbleServer Pebble { get; private set; } = null!;

    public TestBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pebble = await PebbleServer.StartAsync(new PebbleOptions { CertificateValiditySeconds = ValiditySeconds });
        Backend = await TestBackend.StartAsync("app");
    }

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Pebble.DisposeAsync();
    }
}

/// <summary>Renewal of real short-lived certificates, and what a failing renewal does and does not change.</summary>
public sealed class AcmeRenewalTests(ShortLivedPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<ShortLivedPebbleFixture>, IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "gateway-renew-" + Guid.NewGuid().ToString("N")[..12]);

    private PebbleServer Pebble => fixture.Pebble;

    [Fact]
    public async Task Renewal_ShortLivedCertificate_IsRenewedWithoutDroppingConnections()
    {
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["renew.gw.test"]));
        var first = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "renew.gw.test");
        var lifetime = first.Certificate.NotAfter - first.Certificate.NotBefore;

        // A connection opened on the first certificate, and a client sending requests all through the renewal.
        using var early = await OpenAsync("renew.gw.test");
        using var client = TlsProbe.Client(Pebble.TlsPort, Pebble.IssuingRoot);
        using var stop = new CancellationTokenSource();
        var (sent, failed) = (0, 0);
        var traffic = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    (await client.GetAsync("https://renew.gw.test/during")).EnsureSuccessStatusCode();
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                Interlocked.Increment(ref sent);
                await Task.Delay(20);
            }
        });

        var second = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "renew.gw.test", notThumbprint: first.Certificate.Thumbprint, within: TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await traffic;

        var renewedAfter = second.Certificate.NotBefore - first.Certificate.NotBefore;
        output.WriteLine($"lifetime {lifetime.TotalSeconds:0} s; renewed {renewedAfter.TotalSeconds:0.#} s after the first was issued; {sent} requests during renewal, {failed} failed");
        Assert.Equal(0, failed);
        Assert.True(sent > 10, $"only {sent} requests were sent");
        Assert.True(renewedAfter >= lifetime * 0.5, $"renewed after {renewedAfter}, well before two thirds of {lifetime}");
        Assert.True(second.Certificate.NotBefore < first.Certificate.NotAfter, "renewed only after the first certificate expired");
        Assert.Equal(HttpStatusCode.OK, (await early.GetAsync("after-renewal")).StatusCode);
        Assert.True(gateway.Logs.Contains("Ordering a certificate for renew.gw.test (renewal due, current valid until"));
    }

    [Fact]
    public async Task FailedRenewal_ReportsWhy_KeepsTheCurrentCertificate_AndALaterRetrySucceeds()
    {
        await using var gateway = await TestGateway.StartAsync(AcmeConfigs.Gateway(Pebble, fixture.Backend.Url, _state, "http-01", ["fail.gw.test"]));
        var first = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "fail.gw.test");

        // Pebble now looks for fail.gw.test at 127.0.0.2, where nothing listens: the renewal's http-01 must fail.
        await Pebble.SetAddressAsync("fail.gw.test", "127.0.0.2");
        try
        {
            await Eventually.TrueAsync(() => gateway.Logs.Contains("Could not obtain a certificate for fail.gw.test"), "the failed renewal", TimeSpan.FromSeconds(30));
            Assert.Equal(first.Certificate.Thumbprint, (await TlsProbe.HandshakeAsync(Pebble.TlsPort, "fail.gw.test")).Certificate.Thumbprint);
        }
        finally
        {
            await Pebble.ClearAddressAsync("fail.gw.test");
        }

        var failure = gateway.Logs.Entries.First(e => e.Message.StartsWith("Could not obtain a certificate for fail.gw.test", StringComparison.Ordinal)).Message;
        output.WriteLine(failure);
        Assert.Contains("The http-01 challenge for fail.gw.test failed: urn:ietf:params:acme:error:connection", failure, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", failure, StringComparison.Ordinal);
        Assert.Contains("still serving the certificate valid until", failure, StringComparison.Ordinal);

        var renewed = await AcmeConfigs.IssuedAsync(Pebble, Pebble.TlsPort, "fail.gw.test", notThumbprint: first.Certificate.Thumbprint, within: TimeSpan.FromSeconds(30));
        Assert.True(renewed.ChainValid);
    }

    /// <summary>
    /// An HttpClient bound to one TLS connection opened now: it cannot open another, so a request after the renewal
    /// succeeds only if this very connection survived it.
    /// </summary>
    private async Task<HttpClient> OpenAsync(string name)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, Pebble.TlsPort);
        var tls = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = name,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var connected = 0;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = (_, _) => Interlocked.Exchange(ref connected, 1) == 0
                ? ValueTask.FromResult<Stream>(tls)
                : throw new InvalidOperationException("the early connection was closed"),
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://{name}/") };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("early")).StatusCode);
        return client;
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }
}

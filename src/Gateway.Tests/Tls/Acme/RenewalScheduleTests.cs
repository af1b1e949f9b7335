using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Tls.Acme;

namespace Gateway.Tests.Tls.Acme;

public sealed class RenewalScheduleTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DueAt_IsTwoThirdsIntoTheLifetime()
    {
        Assert.Equal(Start.AddDays(60), RenewalSchedule.DueAt(Start, Start.AddDays(90)));
        Assert.Equal(Start.AddDays(4), RenewalSchedule.DueAt(Start, Start.AddDays(6)));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.5, 12)]
    [InlineData(1.0, 24)]
    [InlineData(7.0, 24)]
    public void DueAt_RenewalWindow_IsAPointInsideIt(double fraction, int hoursIn)
    {
        var window = new AcmeRenewalWindow(Start, Start.AddHours(24));

        Assert.Equal(Start.AddHours(hoursIn), RenewalSchedule.DueAt(window, fraction));
    }

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 120)]
    [InlineData(3, 240)]
    [InlineData(11, 61440)]
    [InlineData(12, 86400)]
    [InlineData(500, 86400)]
    public void Backoff_DoublesFromTheIntervalUpToADay(int failures, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RenewalSchedule.Backoff(TimeSpan.FromMinutes(1), failures, retryAfter: null));
    }

    [Fact]
    public void Backoff_NeverSoonerThanRetryAfter_EvenBeyondADay()
    {
        Assert.Equal(TimeSpan.FromHours(2), RenewalSchedule.Backoff(TimeSpan.FromMinutes(1), 1, TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromDays(3), RenewalSchedule.Backoff(TimeSpan.FromMinutes(1), 30, TimeSpan.FromDays(3)));
        Assert.Equal(TimeSpan.FromMinutes(4), RenewalSchedule.Backoff(TimeSpan.FromMinutes(1), 3, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void NextAttempt_DueInThePast_WaitsAtLeastTheGap()
    {
        Assert.Equal(Start.AddSeconds(30), RenewalSchedule.NextAttempt(Start.AddDays(-1), Start, TimeSpan.FromSeconds(30)));
        Assert.Equal(Start.AddDays(5), RenewalSchedule.NextAttempt(Start.AddDays(5), Start, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void RenewalInfoId_MatchesTheExampleOfRfc9773()
    {
        // RFC 9773 4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 00:87:65:43:21.
        var keyIdentifier = Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issuer = new CertificateRequest("CN=Issuer", issuerKey, HashAlgorithmName.SHA256).CreateSelfSigned(Start.AddDays(-1), Start.AddDays(10));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(keyIdentifier));
        using var leaf = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), Start, Start.AddDays(1), [0x00, 0x87, 0x65, 0x43, 0x21]);

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", RenewalSchedule.RenewalInfoId(leaf));
    }
}

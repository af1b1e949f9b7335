using Gateway.Kubernetes;

namespace Gateway.Tests.Kubernetes;

/// <summary>Every annotation mistake is a problem (which rejects the Ingress); valid ones become the route's access settings.</summary>
public sealed class IngressAnnotationsTests
{
    private static readonly FileView Files = new(
        new HashSet<string>(["staff"], StringComparer.OrdinalIgnoreCase), new HashSet<int>([500]),
        new HashSet<string>(["haproxy"], StringComparer.OrdinalIgnoreCase), HasFallback: false, new HashSet<string>());

    [Theory]
    [InlineData("gateway.ingress/access-policy", "ip+kt", "'ip+kt' is not a policy")]
    [InlineData("gateway.ingress/access-polcy", "ip", "unknown annotation gateway.ingress/access-polcy")]
    [InlineData("gateway.ingress/access-policy", "ip", "needs a list")]
    [InlineData("gateway.ingress/access-list", "nobody", "'nobody' is not an access list")]
    [InlineData("gateway.ingress/access-list", "k8s.apps.office", "is not an access list")]
    [InlineData("gateway.ingress/reject-action", "deny", "need an access policy")]
    [InlineData("gateway.ingress/reject-status", "404", "'404' is not a reject status")]
    [InlineData("gateway.ingress/backend-protocol", "grpc", "'grpc' is not a backend protocol")]
    [InlineData("gateway.ingress/backend-tls-verify", "false", "applies only with gateway.ingress/backend-protocol: https")]
    [InlineData("gateway.ingress/connect-timeout", "5", "'5' is not a duration")]
    [InlineData("gateway.ingress/acme", "yes", "'yes' is not true or false")]
    [InlineData("nginx.ingress.kubernetes.io/whitelist-source-range", "10.0.0.0/33", "'10.0.0.0/33' is not an address or CIDR network")]
    [InlineData("nginx.ingress.kubernetes.io/whitelist-source-range", " , ", "is empty")]
    public void Parse_InvalidAnnotation_IsAProblem(string key, string value, string expected)
    {
        var problems = new List<string>();

        IngressAnnotations.Parse(new Dictionary<string, string> { [key] = value }, Files, problems);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RedirectWithoutUrl_AndFallbackWithoutCluster_AreProblems()
    {
        var problems = new List<string>();
        IngressAnnotations.Parse(new Dictionary<string, string> { ["gateway.ingress/access-list"] = "staff", ["gateway.ingress/reject-action"] = "redirect" }, Files, problems);
        IngressAnnotations.Parse(new Dictionary<string, string> { ["gateway.ingress/access-list"] = "staff", ["gateway.ingress/reject-action"] = "fallback" }, Files, problems);

        Assert.Contains(problems, p => p.Contains("gateway.ingress/reject-url goes with", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("fallback needs", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ValidAnnotations_GiveThePolicy()
    {
        var problems = new List<string>();

        var parsed = IngressAnnotations.Parse(new Dictionary<string, string>
        {
            ["gateway.ingress/access-list"] = "staff",
            ["gateway.ingress/reject-action"] = "fallback",
            ["gateway.ingress/reject-cluster"] = "haproxy",
            ["gateway.ingress/backend-protocol"] = "https",
            ["gateway.ingress/backend-tls-verify"] = "false",
            ["gateway.ingress/server-timeout"] = "2m",
            ["nginx.ingress.kubernetes.io/rewrite-target"] = "/",
        }, Files, problems);

        Assert.Empty(problems);
        Assert.Equal("ip+kat", parsed.Policy);
        Assert.Equal("staff", parsed.List);
        Assert.True(parsed.Https);
        Assert.False(parsed.Verify);
        Assert.Equal("2m", parsed.Server);
    }

    [Fact]
    public void Parse_WhitelistSourceRange_AloneMeansAnIpPolicyOnItsOwnList()
    {
        var problems = new List<string>();

        var parsed = IngressAnnotations.Parse(new Dictionary<string, string> { ["nginx.ingress.kubernetes.io/whitelist-source-range"] = "10.0.0.0/8,192.168.1.1" }, Files, problems);

        Assert.Empty(problems);
        Assert.Equal("ip", parsed.Policy);
        Assert.Null(parsed.List);
        Assert.Equal(["10.0.0.0/8", "192.168.1.1"], parsed.SourceRanges.ToArray());
    }
}

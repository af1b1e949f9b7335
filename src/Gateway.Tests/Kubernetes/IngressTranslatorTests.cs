using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Kubernetes;
using static Gateway.Tests.Kubernetes.K8sObjects;

namespace Gateway.Tests.Kubernetes;

/// <summary>How Ingress rules become routes: path kinds, conflicts between Ingresses and files, closing on rejection.</summary>
public sealed class IngressTranslatorTests
{
    private static readonly FileView NoFiles = new(
        new HashSet<string>(), new HashSet<int>(), new HashSet<string>(), HasFallback: false, new HashSet<string>());

    [Fact]
    public void Translate_SameHostAndPathInTwoIngresses_TheOlderKeepsIt()
    {
        var older = Stamp(Ingress("older", "app.test", "web", PortNumber(80)), "2026-01-01T00:00:00Z");
        var newer = Stamp(Ingress("newer", "app.test", "web", PortNumber(80)), "2026-02-01T00:00:00Z");

        var translation = Translate(NoFiles, newer, older);

        var route = Assert.Single(translation.Fragment.Routes);
        Assert.StartsWith("k8s/apps/older/", route.Key, StringComparison.Ordinal);
        Assert.Contains(translation.Notes, n => n.Contains("apps/newer", StringComparison.Ordinal) && n.Contains("already served", StringComparison.Ordinal));
        Assert.Equal(2, translation.Accepted.Count);
    }

    [Fact]
    public void Translate_FileRouteForTheSameHostAndPath_WinsOverTheIngress()
    {
        var files = NoFiles with { RouteKeys = new HashSet<string>([FileView.RouteKey("app.test", 0, "/{**catch-all}")], StringComparer.OrdinalIgnoreCase) };

        var translation = Translate(files, Ingress("app", "app.test", "web", PortNumber(80)));

        Assert.Empty(translation.Fragment.Routes);
        Assert.Single(translation.Notes);
    }

    [Fact]
    public void Translate_PathTypes_AndDefaultBackend()
    {
        var exact = Ingress("exact", "app.test", "web", PortNumber(80), path: "/login", pathType: "Exact");
        var prefix = Ingress("prefix", "app.test", "web", PortNumber(80), path: "/api/", pathType: "Prefix");
        prefix["spec"]!["defaultBackend"] = new JsonObject { ["service"] = new JsonObject { ["name"] = "web", ["port"] = PortNumber(80) } };

        var routes = Translate(NoFiles, exact, prefix).Fragment.Routes.Values.ToList();

        Assert.Contains(routes, r => r.Path == "/login" && r.PathPrefix is null && r.Hosts.SequenceEqual(["app.test"]));
        Assert.Contains(routes, r => r.PathPrefix == "/api/" && r.Order == 0);
        Assert.Contains(routes, r => r.PathPrefix == "/" && r.Hosts.Count == 0 && r.Order == IngressTranslator.DefaultBackendOrder);
    }

    [Theory]
    [InlineData("resource")]
    [InlineData("pathType")]
    [InlineData("path")]
    public void Translate_UnservableRule_RejectsTheIngress_AndClosesItsHosts(string flaw)
    {
        var ingress = Ingress("bad", "bad.test", "web", PortNumber(80), tlsSecret: "bad-tls");
        var path = ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!.AsObject();
        switch (flaw)
        {
            case "resource":
                path["backend"] = new JsonObject { ["resource"] = new JsonObject { ["kind"] = "StorageBucket", ["name"] = "b" } };
                break;
            case "pathType":
                path["pathType"] = "Regex";
                break;
            default:
                path["path"] = "/{id}";
                break;
        }

        var translation = Translate(NoFiles, ingress);

        Assert.True(translation.Rejected.ContainsKey("apps/bad"));
        var closed = Assert.Single(translation.Fragment.Routes.Values);
        Assert.Equal(IngressTranslator.ClosedCluster, closed.Cluster);
        Assert.Equal(IngressTranslator.ClosedOrder, closed.Order);
        Assert.Equal(["bad.test"], closed.Hosts);
        Assert.Empty(translation.Fragment.Clusters[IngressTranslator.ClosedCluster].Destinations);
    }

    private static JsonObject Stamp(JsonObject ingress, string created)
    {
        ingress["metadata"]!["creationTimestamp"] = created;
        return ingress;
    }

    private static IngressTranslation Translate(FileView files, params JsonObject[] ingresses)
    {
        static ImmutableDictionary<string, JsonElement> Index(IEnumerable<JsonObject> items) =>
            items.Select(i => JsonDocument.Parse(i.ToJsonString()).RootElement.Clone()).ToImmutableDictionary(e => e.ObjectKey(), StringComparer.Ordinal);

        var snapshot = new KubernetesSnapshot(Index(ingresses), Index([]), Index([Service("web")]), Index([]), Index([]));
        return new IngressTranslator(new KubernetesSettings { Enabled = true }).Translate(snapshot, files, new Dictionary<string, string>());
    }
}

using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using static Gateway.Tests.Kubernetes.K8sObjects;

namespace Gateway.Tests.Kubernetes;

/// <summary>Access annotations protect an Ingress's hosts; a mistake in them closes the hosts instead of opening them.</summary>
public sealed class IngressAccessTests
{
    private const string Policy = "gateway.ingress/access-policy";
    private const string List = "gateway.ingress/access-list";
    private const string Whitelist = "nginx.ingress.kubernetes.io/whitelist-source-range";

    [Fact]
    public async Task InvalidAnnotation_KeepsThatHostClosed_EvenWithAnOpenCatchAllRoute()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var pod = await harness.BackendAsync("pod-a");
        var open = await harness.BackendAsync("open");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", pod.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("admin", "admin.test", "web", PortName("http"), annotations: new() { [Policy] = "ip+kt", [List] = "staff" }));
        harness.Api.Put("ingresses", Ingress("typo", "typo.test", "web", PortName("http"), annotations: new() { ["gateway.ingress/acces-policy"] = "ip" }));
        harness.Api.Put("ingresses", Ingress("fine", "fine.test", "web", PortName("http")));
        await harness.StartGatewayAsync(FilesWithOpenCatchAll(open.Url));

        await harness.AnsweredByAsync("fine.test", "pod-a");
        Assert.Equal("503", await harness.WhoAnswersAsync("admin.test"));
        Assert.Equal("503", await harness.WhoAnswersAsync("typo.test", "/deep/path"));
        Assert.Equal("open", await harness.WhoAnswersAsync("elsewhere.test"));
        var rejected = harness.Gateway.Logs.Entries.Where(e => e.Id.Id == Gateway.Observability.EventIds.KubernetesIngressRejected).Select(e => e.Message).ToList();
        Assert.Contains(rejected, m => m.Contains("apps/admin", StringComparison.Ordinal) && m.Contains("'ip+kt' is not a policy", StringComparison.Ordinal));
        Assert.Contains(rejected, m => m.Contains("apps/typo", StringComparison.Ordinal) && m.Contains("unknown annotation gateway.ingress/acces-policy", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Api.StatusPatches, p => p.Ingress == Namespace + "/admin");

        // A protected Ingress edited into a broken one does not keep serving, nor open: its host closes.
        harness.Api.Put("ingresses", Ingress("fine", "fine.test", "web", PortName("http"), annotations: new() { [Policy] = "ip", [List] = "no-such-list" }));
        await harness.AnsweredByAsync("fine.test", "503");
    }

    [Fact]
    public async Task AccessAnnotations_ApplyTheListPolicy_AndWhitelistSourceRangeBuildsAnAllowlist()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var pod = await harness.BackendAsync("pod-a");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", pod.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("staff", "staff.test", "web", PortName("http"), annotations: new() { [Policy] = "ip", [List] = "staff" }));
        harness.Api.Put("ingresses", Ingress("office", "office.test", "web", PortName("http"), annotations: new() { [Whitelist] = "10.0.0.0/8, 192.168.1.1" }));
        harness.Api.Put("ingresses", Ingress("local", "local.test", "web", PortName("http"), annotations: new() { [Whitelist] = "127.0.0.0/8" }));
        await harness.StartGatewayAsync(new JsonObject
        {
            ["Access"] = new JsonObject { ["Lists"] = new JsonObject { ["staff"] = new JsonObject { ["Id"] = 500, ["Entries"] = new JsonArray("198.51.100.0/24") } } },
        });

        await harness.AnsweredByAsync("local.test", "pod-a");
        Assert.Equal("403", await harness.WhoAnswersAsync("staff.test"));
        Assert.Equal("403", await harness.WhoAnswersAsync("office.test"));
        var lists = harness.Gateway.CurrentConfig.Access.Lists.Select(l => l.Name).ToList();
        Assert.Contains("k8s.apps.office", lists);
        Assert.Contains("staff", lists);
    }

    [Fact]
    public async Task FilesDropAListAnIngressNames_TheFilesApply_AndThatIngressCloses()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var pod = await harness.BackendAsync("pod-a");
        var open = await harness.BackendAsync("open");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", pod.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("staff", "staff.test", "web", PortName("http"), annotations: new() { [Policy] = "ip", [List] = "staff" }));
        harness.Api.Put("ingresses", Ingress("public", "public.test", "web", PortName("http")));
        await harness.StartGatewayAsync(new JsonObject
        {
            ["Access"] = new JsonObject { ["Lists"] = new JsonObject { ["staff"] = new JsonObject { ["Id"] = 500, ["Entries"] = new JsonArray("127.0.0.1") } } },
        });
        await harness.AnsweredByAsync("staff.test", "pod-a");

        var files = FilesWithOpenCatchAll(open.Url);
        files["Access"] = new JsonObject();
        var kubernetes = harness.Gateway.CurrentConfig.Kubernetes;
        files["Kubernetes"] = new JsonObject
        {
            ["Enabled"] = true,
            ["ApiServer"] = kubernetes.ApiServer.ToString(),
            ["Token"] = kubernetes.Token,
            ["CaFile"] = kubernetes.CaFile,
            ["StatusAddress"] = kubernetes.StatusAddress,
        };
        await harness.Gateway.RewriteConfigAsync(files);

        await harness.AnsweredByAsync("elsewhere.test", "open");
        await harness.AnsweredByAsync("staff.test", "503");
        Assert.Equal("pod-a", await harness.WhoAnswersAsync("public.test"));
        Assert.Contains(harness.Gateway.Logs.Entries, e => e.Id.Id == Gateway.Observability.EventIds.KubernetesIngressRejected && e.Message.Contains("'staff' is not an access list", StringComparison.Ordinal));
    }

    private static JsonObject FilesWithOpenCatchAll(Uri open) => new()
    {
        ["Access"] = new JsonObject { ["Lists"] = new JsonObject { ["staff"] = new JsonObject { ["Id"] = 500 } } },
        ["Routes"] = new JsonObject { ["everything"] = new JsonObject { ["Cluster"] = "open" } },
        ["Clusters"] = new JsonObject { ["open"] = TestGateway.Cluster(open) },
    };
}

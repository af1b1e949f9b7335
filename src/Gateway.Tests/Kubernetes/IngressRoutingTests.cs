using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;
using static Gateway.Tests.Kubernetes.K8sObjects;

namespace Gateway.Tests.Kubernetes;

/// <summary>Ingress resources become routes to the ready pods of their Services, and follow the pods as they come and go.</summary>
public sealed class IngressRoutingTests
{
    [Fact]
    public async Task IngressAppears_ItsHostRoutesToTheEndpointSlicePods()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        var b = await harness.BackendAsync("pod-b");
        harness.Api.Put("services", Service("web"));
        // Two slices of one Service, as the EndpointSlice controller splits large Services.
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("endpointslices", Slice("web-2", "web", b.Url.Port, ("127.0.0.1", true)));
        await harness.StartGatewayAsync();
        Assert.Equal("404", await harness.WhoAnswersAsync("app.test"));

        harness.Api.Put("ingresses", Ingress("app", "app.test", "web", PortName("http")));

        var seen = new HashSet<string>();
        await Eventually.TrueAsync(async () =>
        {
            seen.Add(await harness.WhoAnswersAsync("app.test"));
            return seen.IsSupersetOf(["pod-a", "pod-b"]);
        }, "both pods answer app.test");
        Assert.Equal("404", await harness.WhoAnswersAsync("other.test"));
        Assert.Contains(harness.Api.Requests, r => r.Plural == "secrets" && r.FieldSelector == "type=kubernetes.io/tls");
    }

    [Fact]
    public async Task PodGoesAway_ItsEndpointLeaves_AndNoReadyPodAnswers503()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        var b = await harness.BackendAsync("pod-b");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("endpointslices", Slice("web-2", "web", b.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("app", "app.test", "web", PortNumber(80)));
        await harness.StartGatewayAsync();
        await harness.AnsweredByAsync("app.test", "pod-b");

        // pod-b is terminating: its endpoint stays in the slice but is no longer ready.
        harness.Api.Put("endpointslices", Slice("web-2", "web", b.Url.Port, ("127.0.0.1", false)));
        await Eventually.TrueAsync(async () =>
        {
            var answers = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                answers.Add(await harness.WhoAnswersAsync("app.test"));
            }

            return answers.All(x => x == "pod-a");
        }, "only pod-a answers");

        harness.Api.Delete("endpointslices", Namespace, "web-1");
        await harness.AnsweredByAsync("app.test", "503");
    }

    [Fact]
    public async Task NamespaceSetting_OnlyThatNamespacesIngressesAreServed_ThroughNamespacedRequests()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        foreach (var ns in new[] { Namespace, "team-b" })
        {
            harness.Api.Put("services", InNamespace(Service("web"), ns));
            harness.Api.Put("endpointslices", InNamespace(Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)), ns));
        }

        harness.Api.Put("ingresses", InNamespace(Ingress("theirs", "theirs.test", "web", PortName("http")), "team-b"));
        await harness.StartGatewayAsync(kubernetes: new JsonObject { ["Namespace"] = Namespace });
        harness.Api.Put("ingresses", InNamespace(Ingress("later", "later.test", "web", PortName("http")), "team-b"));
        harness.Api.Put("ingresses", Ingress("ours", "ours.test", "web", PortName("http")));

        // "ours" came after "later" on the same watch, so by the time it is served "later" was seen or never sent.
        await harness.AnsweredByAsync("ours.test", "pod-a");
        Assert.Equal("404", await harness.WhoAnswersAsync("theirs.test"));
        Assert.Equal("404", await harness.WhoAnswersAsync("later.test"));
        Assert.All(harness.Api.Requests.Where(r => r.Plural is "ingresses" or "services" or "endpointslices" or "secrets"),
            r => Assert.Contains($"/namespaces/{Namespace}/", r.Path, StringComparison.Ordinal));
        Assert.Contains(harness.Api.Requests, r => r.Plural == "ingressclasses" && !r.Path.Contains("/namespaces/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoIngressClasses_OnlyOursIsServed_AndTheDefaultClassTakesIngressesWithoutOne()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingressclasses", IngressClass("gateway", "gateway.ingress/controller"));
        harness.Api.Put("ingressclasses", IngressClass("nginx", "k8s.io/ingress-nginx", isDefault: true));
        harness.Api.Put("ingresses", Ingress("ours", "ours.test", "web", PortName("http")));
        harness.Api.Put("ingresses", Ingress("theirs", "theirs.test", "web", PortName("http"), className: "nginx"));
        harness.Api.Put("ingresses", Ingress("unclassed", "unclassed.test", "web", PortName("http"), className: null));
        await harness.StartGatewayAsync();

        await harness.AnsweredByAsync("ours.test", "pod-a");
        Assert.Equal("404", await harness.WhoAnswersAsync("theirs.test"));
        Assert.Equal("404", await harness.WhoAnswersAsync("unclassed.test"));

        // Our class becomes the default one: Ingresses naming no class are ours now; nginx's stay nginx's.
        harness.Api.Put("ingressclasses", IngressClass("nginx", "k8s.io/ingress-nginx"));
        harness.Api.Put("ingressclasses", IngressClass("gateway", "gateway.ingress/controller", isDefault: true));
        await harness.AnsweredByAsync("unclassed.test", "pod-a");
        Assert.Equal("404", await harness.WhoAnswersAsync("theirs.test"));
        Assert.DoesNotContain(harness.Api.StatusPatches, p => p.Ingress == Namespace + "/theirs");
    }

    [Fact]
    public async Task ServedIngress_GetsTheLoadBalancerAddressWrittenBack_Once_AndLosesItWhenNoLongerServed()
    {
        await using var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("app", "app.test", "web", PortName("http")));
        await harness.StartGatewayAsync();

        await Eventually.TrueAsync(() => harness.Api.StatusPatches.Any(p => p.Ingress == Namespace + "/app"), "the status patch");
        var patch = harness.Api.StatusPatches.Single(p => p.Ingress == Namespace + "/app");
        Assert.Equal(IngressHarness.StatusAddress, patch.Body["status"]!["loadBalancer"]!["ingress"]![0]!["ip"]!.GetValue<string>());

        // The patch comes back as a MODIFIED event; later changes are applied without patching the same status again.
        harness.Api.Put("ingresses", Ingress("second", "second.test", "web", PortName("http")));
        await harness.AnsweredByAsync("second.test", "pod-a");
        await Eventually.TrueAsync(() => harness.Api.StatusPatches.Any(p => p.Ingress == Namespace + "/second"), "the second status patch");
        Assert.Single(harness.Api.StatusPatches, p => p.Ingress == Namespace + "/app");

        // Handed to another controller: the address comes off, as this gateway no longer serves the host.
        harness.Api.Put("ingresses", Ingress("app", "app.test", "web", PortName("http"), className: "nginx"));
        await Eventually.TrueAsync(() => harness.Api.StatusPatches.Count(p => p.Ingress == Namespace + "/app") == 2, "the status cleared");
        Assert.Null(harness.Api.StatusPatches.Last(p => p.Ingress == Namespace + "/app").Body["status"]!["loadBalancer"]!["ingress"]);
        await harness.AnsweredByAsync("app.test", "404");
    }
}

using Gateway.Tests.TestSupport;
using static Gateway.Tests.Kubernetes.K8sObjects;

namespace Gateway.Tests.Kubernetes;

/// <summary>The list-then-watch loop: a dropped watch resumes where it was, a compacted version forces a new list.</summary>
public sealed class WatchResilienceTests
{
    [Fact]
    public async Task WatchDrops_ResumesFromTheLastVersionSeen_WithoutListingAgain()
    {
        await using var harness = await ServingAsync();
        await Eventually.TrueAsync(() => harness.Api.OpenWatches("ingresses") == 1, "the ingress watch");

        // Other kinds move the (cluster-wide) resource version on; a bookmark tells the watcher without an event.
        harness.Api.Put("services", Service("unrelated"));
        var bookmark = harness.Api.Bookmark("ingresses");
        await Eventually.TrueAsync(() => harness.Gateway.Logs.Contains($"ingresses bookmark at resource version {bookmark}"), "the bookmark read");
        harness.Api.DropWatches("ingresses");

        await Eventually.TrueAsync(() => harness.Api.WatchVersions("ingresses").Count >= 2, "a second ingress watch");
        Assert.Equal(bookmark, harness.Api.WatchVersions("ingresses")[1]);
        Assert.Equal(1, harness.Api.Lists("ingresses"));

        // The resumed watch delivers what happened since.
        harness.Api.Put("ingresses", Ingress("later", "later.test", "web", PortName("http")));
        await harness.AnsweredByAsync("later.test", "pod-a");
        Assert.Equal(1, harness.Api.Lists("ingresses"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResourceVersionGone_ForcesANewList_ThatCatchesUpOnMissedChanges(bool asHttpStatus)
    {
        await using var harness = await ServingAsync();
        await Eventually.TrueAsync(() => harness.Api.OpenWatches("ingresses") == 1, "the ingress watch");

        // A change the watch never delivers (compacted away): only a new list can reveal it.
        harness.Api.Delete("ingresses", Namespace, "app", silent: true);
        harness.Api.Put("ingresses", Ingress("missed", "missed.test", "web", PortName("http")), silent: true);
        harness.Api.Compact("ingresses", asHttpStatus);

        await Eventually.TrueAsync(() => harness.Api.Lists("ingresses") == 2, "a second list");
        await harness.AnsweredByAsync("missed.test", "pod-a");
        await harness.AnsweredByAsync("app.test", "404");
        Assert.Contains(harness.Gateway.Logs.Entries, e => e.Id.Id == Gateway.Observability.EventIds.KubernetesWatchGone);
    }

    private static async Task<IngressHarness> ServingAsync()
    {
        var harness = await IngressHarness.StartApiAsync();
        var a = await harness.BackendAsync("pod-a");
        harness.Api.Put("services", Service("web"));
        harness.Api.Put("endpointslices", Slice("web-1", "web", a.Url.Port, ("127.0.0.1", true)));
        harness.Api.Put("ingresses", Ingress("app", "app.test", "web", PortName("http")));
        await harness.StartGatewayAsync();
        await harness.AnsweredByAsync("app.test", "pod-a");
        return harness;
    }
}

using System.Globalization;
using System.Net;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Deploy;

/// <summary>deploy/kubernetes: the manifests parse, agree with each other, and name what the gateway really serves.</summary>
public sealed class KubernetesManifestTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-k8s-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Dictionary<string, IReadOnlyList<YamlMap>> _files = DeployFiles.Yaml("kubernetes");

    private YamlMap Resource(string kind) => _files.Values.SelectMany(d => d).Single(d => d.Text("kind") == kind);

    private YamlMap Deployment => Resource("Deployment");

    private YamlMap PodSpec => Deployment.Map("spec").Map("template").Map("spec");

    private YamlMap Gateway => PodSpec.Maps("containers").Single(c => c.Text("name") == "gateway");

    private string AppSettings => Resource("ConfigMap").Map("data").Text("appsettings.json");

    [Fact]
    public void Manifests_Parse_AndKustomizationListsEachOne()
    {
        var kustomization = _files["kustomization.yaml"].Single();
        var resources = _files.Where(f => f.Key != "kustomization.yaml").ToList();

        Assert.Equal(resources.Select(f => f.Key).Order(StringComparer.Ordinal), kustomization.List("resources").Cast<string>().Order(StringComparer.Ordinal));
        Assert.All(resources.SelectMany(f => f.Value), r => Assert.Equal("gateway", r.Map("metadata").Map("labels").Text("app.kubernetes.io/name")));
        Assert.Equal(
            ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "IngressClass", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount"],
            resources.SelectMany(f => f.Value).Select(r => r.Text("kind")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rbac_LetsTheServiceAccountWatchWhatTheControllerReads_AndWriteOnlyIngressStatus()
    {
        var account = Resource("ServiceAccount").Map("metadata").Text("name");
        var binding = Resource("ClusterRoleBinding");
        var role = Resource("ClusterRole");
        var rules = role.Maps("rules").SelectMany(r => r.List("resources").Cast<string>().Select(resource =>
            (Group: r.List("apiGroups").Cast<string>().Single(), Resource: resource, Verbs: r.List("verbs").Cast<string>().Order(StringComparer.Ordinal).ToArray()))).ToList();

        Assert.Equal(account, PodSpec.Text("serviceAccountName"));
        Assert.Equal(account, binding.Maps("subjects").Single().Text("name"));
        Assert.Equal(role.Map("metadata").Text("name"), binding.Map("roleRef").Text("name"));
        foreach (var kind in global::Gateway.Kubernetes.ResourceKind.All)
        {
            var group = kind.GroupVersionPath.StartsWith("/api/", StringComparison.Ordinal) ? string.Empty : kind.GroupVersionPath.Split('/')[2];
            Assert.Contains(rules, r => r.Group == group && r.Resource == kind.Plural && r.Verbs.SequenceEqual(["get", "list", "watch"]));
        }

        Assert.Contains(rules, r => r.Group == "networking.k8s.io" && r.Resource == "ingresses/status" && r.Verbs.SequenceEqual(["patch", "update"]));
        Assert.DoesNotContain(rules, r => r.Resource != "ingresses/status" && r.Verbs.Except(["get", "list", "watch"]).Any());
        Assert.Equal("gateway", Resource("IngressClass").Map("metadata").Text("name"));
    }

    [Fact]
    public void ContainerPorts_AreTheConfiguredListeners_AndTheServiceTargetsThem()
    {
        var config = DeployFiles.Compile(AppSettings);
        var ports = Gateway.Maps("ports").ToDictionary(p => p.Text("name"), p => p.Int("containerPort"));
        var service = Resource("Service").Map("spec");

        Assert.All(ports, port => Assert.Equal(DeployFiles.PortOf(config, port.Key), port.Value));
        Assert.Equal("LoadBalancer", service.Text("type"));
        Assert.Equal("Local", service.Text("externalTrafficPolicy"));
        Assert.Contains(service.Maps("ports"), p => p.Int("port") == 80 && p.Text("targetPort") == "http");
        Assert.All(service.Maps("ports"), p => Assert.Contains(p.Text("targetPort"), ports.Keys));
        Assert.DoesNotContain(service.Maps("ports"), p => p.Text("targetPort") == "management");
        Assert.Equal(Deployment.Map("spec").Map("selector").Map("matchLabels"), service.Map("selector"));
        Assert.Equal(Deployment.Map("spec").Map("selector").Map("matchLabels"), Resource("PodDisruptionBudget").Map("spec").Map("selector").Map("matchLabels"));
    }

    [Fact]
    public void Pod_IsNonRoot_ReadOnly_WithStateTmpAndASharedAdminSocketVolume()
    {
        var mounts = Gateway.Maps("volumeMounts").ToDictionary(m => m.Text("mountPath"), m => m.Text("name"));
        var state = Gateway.Maps("env").Single(e => e.Text("name") == "Gateway__StateDirectory").Text("value");
        var agent = PodSpec.Maps("containers").Single(c => c.Text("name") != "gateway");

        Assert.Equal("true", PodSpec.Map("securityContext").Text("runAsNonRoot"));
        Assert.Equal("true", Gateway.Map("securityContext").Text("readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], Gateway.Map("securityContext").Map("capabilities").List("drop").Cast<string>());
        Assert.Contains(state, mounts.Keys);
        Assert.Contains("/tmp", mounts.Keys);
        Assert.Equal("/app/config", mounts.Single(m => m.Value == "config").Key);
        var socket = Assert.Single(agent.Maps("volumeMounts")).Text("name");
        Assert.Contains(socket, mounts.Values);
        Assert.Contains(PodSpec.Maps("volumes"), v => v.Text("name") == socket && v.ContainsKey("emptyDir"));
    }

    [Fact]
    public async Task Probes_AndThePreStopDrain_WorkAgainstTheGatewayRunWithTheseManifests()
    {
        // The ConfigMap and the Secret as the projected volume lays them out, and the container's environment, with
        // the listener ports moved to free ones (the probes follow by port name).
        var config = Path.Combine(_directory, "config");
        Directory.CreateDirectory(Path.Combine(config, "conf.d"));
        foreach (var item in PodSpec.Maps("volumes").Single(v => v.Text("name") == "config").Map("projected").Maps("sources"))
        {
            var (kind, source) = item.Single();
            var resource = Resource(kind == "configMap" ? "ConfigMap" : "Secret");
            var data = resource.ContainsKey("data") ? resource.Map("data") : resource.Map("stringData");
            foreach (var file in ((YamlMap)source!).Maps("items"))
            {
                await File.WriteAllTextAsync(Path.Combine(config, file.Text("path")), data.Text(file.Text("key")));
            }
        }

        var ports = Gateway.Maps("ports").ToDictionary(p => p.Text("name"), _ => FreePort.Get());
        var environment = Gateway.Maps("env").ToDictionary(e => e.Text("name"), e => e.Text("value"));
        environment["Gateway__StateDirectory"] = Path.Combine(_directory, "state");
        // No API server here: ingress-controller mode is covered by the Kubernetes tests against a fake one.
        Assert.Equal("true", environment["Gateway__Kubernetes__Enabled"]);
        environment["Gateway__Kubernetes__Enabled"] = "false";
        foreach (var (name, port) in ports)
        {
            environment[name == "management" ? "Gateway__Management__Port" : $"Gateway__Listeners__{name}__Port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        await using var gateway = GatewayProcess.Start(_directory, environment);
        await gateway.WaitForOutputAsync("Gateway started");
        Assert.False(gateway.HasExited, gateway.Errors);
        using var client = new HttpClient();
        Uri ProbeUrl(string probe) =>
            new($"http://127.0.0.1:{ports[Gateway.Map(probe).Map("httpGet").Text("port")]}{Gateway.Map(probe).Map("httpGet").Text("path")}");

        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ProbeUrl(probe))).StatusCode);
        }

        var preStop = Gateway.Map("lifecycle").Map("preStop").Map("exec").List("command").Cast<string>().ToArray();
        Assert.Equal(["dotnet", "Gateway.dll", "drain"], preStop[..3]);
        var wait = Array.IndexOf(preStop, "--wait");
        Assert.True(global::Gateway.Configuration.Duration.TryParse(preStop[wait + 1], out var preStopWait));
        var drainArguments = preStop[2..];
        drainArguments[wait - 1] = "0s";
        await using var drain = GatewayProcess.Start(_directory, environment, drainArguments);

        Assert.Equal(0, await drain.WaitForExitAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(ProbeUrl("readinessProbe"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ProbeUrl("livenessProbe"))).StatusCode);
        var drainTimeout = DeployFiles.Compile(AppSettings).Shutdown.DrainTimeout;
        Assert.True(PodSpec.Int("terminationGracePeriodSeconds") > (preStopWait + drainTimeout).TotalSeconds, "the grace period covers the preStop wait and the drain");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

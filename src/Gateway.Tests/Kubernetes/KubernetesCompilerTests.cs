using Gateway.Configuration;
using Gateway.Kubernetes;

namespace Gateway.Tests.Kubernetes;

/// <summary>Where the controller finds the API server: the pod's environment and service account, or explicit settings.</summary>
public sealed class KubernetesCompilerTests
{
    [Fact]
    public void Compile_InAPod_UsesTheServiceEnvironmentAndTheServiceAccountFiles()
    {
        var errors = new ConfigErrors();
        var environment = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };

        var settings = KubernetesCompiler.Compile(new KubernetesOptions { Enabled = true }, name => environment.GetValueOrDefault(name), errors);

        Assert.Equal(new Uri("https://10.96.0.1:443"), settings.ApiServer);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/token", settings.TokenFile);
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", settings.CaFile);
        Assert.Equal("gateway", settings.IngressClass);
        // This machine is not a pod: the mounted files are missing, and the errors say so by key.
        Assert.Contains(errors.All, e => e.Key == "Gateway:Kubernetes:TokenFile");
        Assert.Contains(errors.All, e => e.Key == "Gateway:Kubernetes:CaFile");
    }

    [Fact]
    public void Compile_OutOfACluster_NeedsTheApiServer()
    {
        var errors = new ConfigErrors();

        KubernetesCompiler.Compile(new KubernetesOptions { Enabled = true }, _ => null, errors);

        Assert.Contains(errors.All, e => e.Key == "Gateway:Kubernetes:ApiServer" && e.Message.Contains("outside a cluster", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("IngressClass", "Gateway_Class")]
    [InlineData("ApiServer", "kubernetes:6443")]
    [InlineData("MaxBackoff", "soon")]
    [InlineData("StatusAddress", "not an address!")]
    public void Compile_InvalidSetting_IsAnErrorNamingTheKey(string setting, string value)
    {
        var options = new KubernetesOptions { Enabled = true, ApiServer = "https://127.0.0.1:6443", Token = "t" };
        typeof(KubernetesOptions).GetProperty(setting)!.SetValue(options, value);
        var errors = new ConfigErrors();

        KubernetesCompiler.Compile(options, _ => null, errors);

        Assert.Contains(errors.All, e => e.Key == "Gateway:Kubernetes:" + setting);
    }

    [Fact]
    public void Compile_Disabled_ReadsNothing()
    {
        var errors = new ConfigErrors();

        var settings = KubernetesCompiler.Compile(new KubernetesOptions(), _ => throw new InvalidOperationException("no environment reads"), errors);

        Assert.False(settings.Enabled);
        Assert.False(errors.Any);
    }
}

using System.Net;
using Gateway.Configuration;

namespace Gateway.Kubernetes;

/// <summary>Validates <c>Gateway:Kubernetes</c>: where the API server is and how to trust and authenticate to it.</summary>
internal static class KubernetesCompiler
{
    private const string Key = "Gateway:Kubernetes";

    public static KubernetesSettings Compile(KubernetesOptions options, ConfigErrors errors) =>
        Compile(options, Environment.GetEnvironmentVariable, errors);

    /// <summary>As above, with the environment passed in so tests can play a pod.</summary>
    public static KubernetesSettings Compile(KubernetesOptions options, Func<string, string?> environment, ConfigErrors errors)
    {
        if (options.Enabled != true)
        {
            return KubernetesSettings.Disabled;
        }

        var ingressClass = options.IngressClass?.Trim() ?? KubernetesSettings.DefaultClass;
        if (!IsDnsName(ingressClass))
        {
            errors.Add(Key + ":IngressClass", $"'{ingressClass}' is not an IngressClass name (lower-case letters, digits, '-' and '.').");
        }

        if (options.Namespace is { } ns && !IsDnsName(ns))
        {
            errors.Add(Key + ":Namespace", $"'{ns}' is not a namespace name (lower-case letters, digits and '-').");
        }

        // In a pod the API server is announced by the kubelet through these variables, and the service account's
        // token and CA are mounted; out of a cluster ApiServer must be named and credentials given explicitly.
        var inCluster = options.ApiServer is null;
        Uri? apiServer = null;
        if (inCluster)
        {
            var host = environment("KUBERNETES_SERVICE_HOST");
            var port = environment("KUBERNETES_SERVICE_PORT") ?? "443";
            if (string.IsNullOrEmpty(host))
            {
                errors.Add(Key + ":ApiServer", "is required outside a cluster (KUBERNETES_SERVICE_HOST is not set): give the API server's URL, like https://127.0.0.1:6443.");
            }
            else
            {
                apiServer = new Uri($"https://{(IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host)}:{port}");
            }
        }
        else if (!Uri.TryCreate(options.ApiServer, UriKind.Absolute, out apiServer) || apiServer.Scheme is not ("https" or "http"))
        {
            errors.Add(Key + ":ApiServer", $"'{options.ApiServer}' is not an absolute https URL of the API server.");
        }

        if (options.Token is not null && options.TokenFile is not null)
        {
            errors.Add(Key + ":Token", "and TokenFile are both set; give one.");
        }

        var tokenFile = options.TokenFile ?? (inCluster && options.Token is null ? Path.Combine(KubernetesSettings.ServiceAccountDirectory, "token") : null);
        var caFile = options.CaFile ?? (inCluster ? Path.Combine(KubernetesSettings.ServiceAccountDirectory, "ca.crt") : null);
        if (tokenFile is not null && !File.Exists(tokenFile))
        {
            errors.Add(Key + ":TokenFile", $"'{tokenFile}' does not exist; mount the service account token or give Token/TokenFile.");
        }

        if (caFile is not null && !File.Exists(caFile))
        {
            errors.Add(Key + ":CaFile", $"'{caFile}' does not exist; give the PEM file of the CA that signed the API server's certificate.");
        }

        if (options.StatusAddress is { } address && !IPAddress.TryParse(address, out _) && Routing.HostPattern.Check(address) is { } problem)
        {
            errors.Add(Key + ":StatusAddress", $"'{address}' is neither an IP address nor a host name: {problem}");
        }

        var maxBackoff = Duration.Parse(options.MaxBackoff, TimeSpan.FromSeconds(30), Key + ":MaxBackoff", errors, TimeSpan.FromMilliseconds(200));
        return new KubernetesSettings
        {
            Enabled = true,
            IngressClass = ingressClass,
            ApiServer = apiServer ?? new Uri("https://kubernetes.default.svc"),
            Token = options.Token,
            TokenFile = tokenFile,
            CaFile = caFile,
            Namespace = options.Namespace,
            StatusAddress = options.StatusAddress,
            MaxBackoff = maxBackoff,
        };
    }

    /// <summary>A DNS-1123 subdomain, as Kubernetes object names are.</summary>
    public static bool IsDnsName(string value) =>
        value.Length is > 0 and <= 253 && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.') &&
        char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]);
}

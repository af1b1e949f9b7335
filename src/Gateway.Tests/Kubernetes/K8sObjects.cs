using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Kubernetes;

/// <summary>Kubernetes objects as the API server returns them, trimmed to the fields the controller reads.</summary>
internal static class K8sObjects
{
    public const string Namespace = "apps";

    public static JsonObject Ingress(
        string name, string? host, string service, JsonObject port, string? className = "gateway",
        Dictionary<string, string>? annotations = null, string? tlsSecret = null, string path = "/", string pathType = "Prefix")
    {
        var spec = new JsonObject
        {
            ["rules"] = new JsonArray(new JsonObject
            {
                ["host"] = host,
                ["http"] = new JsonObject
                {
                    ["paths"] = new JsonArray(new JsonObject
                    {
                        ["path"] = path,
                        ["pathType"] = pathType,
                        ["backend"] = new JsonObject { ["service"] = new JsonObject { ["name"] = service, ["port"] = port } },
                    }),
                },
            }),
        };
        if (host is null)
        {
            spec["rules"]![0]!.AsObject().Remove("host");
        }

        if (className is not null)
        {
            spec["ingressClassName"] = className;
        }

        if (tlsSecret is not null)
        {
            spec["tls"] = new JsonArray(new JsonObject { ["hosts"] = new JsonArray(host), ["secretName"] = tlsSecret });
        }

        return new JsonObject
        {
            ["apiVersion"] = "networking.k8s.io/v1",
            ["kind"] = "Ingress",
            ["metadata"] = Metadata(name, Namespace, annotations),
            ["spec"] = spec,
        };
    }

    /// <summary>The same object in another namespace.</summary>
    public static JsonObject InNamespace(JsonObject item, string ns)
    {
        item["metadata"]!["namespace"] = ns;
        return item;
    }

    public static JsonObject PortNumber(int number) => new() { ["number"] = number };

    public static JsonObject PortName(string name) => new() { ["name"] = name };

    public static JsonObject IngressClass(string name, string controller, bool isDefault = false) => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "IngressClass",
        ["metadata"] = Metadata(name, null, isDefault ? new() { ["ingressclass.kubernetes.io/is-default-class"] = "true" } : null),
        ["spec"] = new JsonObject { ["controller"] = controller },
    };

    /// <summary>A ClusterIP Service with one port, named <c>http</c>, on 80 targeting 8080.</summary>
    public static JsonObject Service(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(name, Namespace),
        ["spec"] = new JsonObject
        {
            ["type"] = "ClusterIP",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 80, ["protocol"] = "TCP", ["targetPort"] = 8080 }),
        },
    };

    /// <summary>An EndpointSlice of <paramref name="service"/> whose pods listen on <paramref name="port"/> (the slice port named http).</summary>
    public static JsonObject Slice(string name, string service, int port, params (string Address, bool Ready)[] endpoints) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = Metadata(name, Namespace, labels: new() { ["kubernetes.io/service-name"] = service }),
        ["addressType"] = "IPv4",
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }),
        ["endpoints"] = new JsonArray([.. endpoints.Select(e => new JsonObject
        {
            ["addresses"] = new JsonArray(e.Address),
            ["conditions"] = new JsonObject { ["ready"] = e.Ready, ["serving"] = e.Ready, ["terminating"] = !e.Ready },
        })]),
    };

    public static JsonObject TlsSecret(string name, X509Certificate2 certificate)
    {
        var key = certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = Metadata(name, Namespace),
            ["type"] = "kubernetes.io/tls",
            ["data"] = new JsonObject
            {
                ["tls.crt"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificate.ExportCertificatePem())),
                ["tls.key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
            },
        };
    }

    private static JsonObject Metadata(string name, string? ns, Dictionary<string, string>? annotations = null, Dictionary<string, string>? labels = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["uid"] = Guid.NewGuid().ToString(), ["generation"] = 1 };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        if (annotations is not null)
        {
            metadata["annotations"] = new JsonObject([.. annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]);
        }

        if (labels is not null)
        {
            metadata["labels"] = new JsonObject([.. labels.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]);
        }

        return metadata;
    }
}

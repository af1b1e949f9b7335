using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Gateway.Kubernetes;

/// <summary>
/// Resolves an Ingress backend (<c>service.name</c> and <c>service.port.number|name</c>) to the addresses of its ready
/// pods, as kube-proxy would: the Service port picks the EndpointSlice port by name (unnamed ports match the unnamed
/// slice port), and only endpoints whose <c>ready</c> condition is not false count.
/// </summary>
internal static class ServiceEndpoints
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>The destinations (name → URL); empty when the Service, its port or its ready pods are missing.</summary>
    public static ImmutableSortedDictionary<string, Uri> Resolve(
        string ns, JsonElement backend, ImmutableDictionary<string, JsonElement> services, ILookup<string, JsonElement> slicesByService, string scheme)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, Uri>(StringComparer.Ordinal);
        var serviceName = backend.Str("service", "name");
        if (serviceName is null || !services.TryGetValue(ns + "/" + serviceName, out var service))
        {
            return result.ToImmutable();
        }

        var wantedNumber = backend.Int("service", "port", "number");
        var wantedName = backend.Str("service", "port", "name");
        var servicePort = service.Items("spec", "ports").FirstOrDefault(p =>
            (wantedNumber is { } n && p.Int("port") == n) || (wantedName is { } w && p.Str("name") == w));
        if (servicePort.ValueKind != JsonValueKind.Object)
        {
            return result.ToImmutable();
        }

        if (service.Str("spec", "type") == "ExternalName" && service.Str("spec", "externalName") is { } external)
        {
            var port = servicePort.Int("port") ?? 80;
            result[$"{external}:{port}"] = new Uri($"{scheme}://{external}:{port.ToString(CultureInfo.InvariantCulture)}");
            return result.ToImmutable();
        }

        var portName = servicePort.Str("name") ?? string.Empty;
        foreach (var slice in slicesByService[ns + "/" + serviceName])
        {
            if (slice.Str("addressType") is not ("IPv4" or "IPv6"))
            {
                continue;
            }

            var slicePort = slice.Items("ports").FirstOrDefault(p => (p.Str("name") ?? string.Empty) == portName);
            if (slicePort.ValueKind != JsonValueKind.Object || slicePort.Int("port") is not { } number)
            {
                continue;
            }

            foreach (var endpoint in slice.Items("endpoints").Where(e => e.Bool("conditions", "ready") != false))
            {
                foreach (var address in endpoint.Items("addresses").Select(a => a.GetString()).OfType<string>())
                {
                    if (IPAddress.TryParse(address, out var ip))
                    {
                        var host = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
                        var authority = $"{host}:{number.ToString(CultureInfo.InvariantCulture)}";
                        result[authority] = new Uri($"{scheme}://{authority}");
                    }
                }
            }
        }

        return result.ToImmutable();
    }

    /// <summary>EndpointSlices by the Service they belong to (<c>namespace/service</c>).</summary>
    public static ILookup<string, JsonElement> ByService(IEnumerable<JsonElement> slices) =>
        slices
            .Where(s => s.Map("metadata", "labels").ContainsKey(ServiceNameLabel))
            .ToLookup(s => s.Meta("namespace") + "/" + s.Map("metadata", "labels")[ServiceNameLabel], StringComparer.Ordinal);
}

using System.Collections.Immutable;
using System.Text.Json;
using Gateway.Routing;

namespace Gateway.Kubernetes;

/// <summary>One path of an Ingress: host (null: any), path matching, and the Service backend it sends to.</summary>
internal sealed record IngressPath(string? Host, string Path, bool Exact, JsonElement Backend, bool IsDefaultBackend)
{
    private const string CatchAll = "{**catch-all}";

    /// <summary>The route pattern the route compiler will make of it, to find rules that would clash.</summary>
    public string Pattern => Exact ? Path : Path.TrimEnd('/') + "/" + CatchAll;

    public string ServiceName => Backend.Str("service", "name") ?? string.Empty;

    public string ServicePort => Backend.Int("service", "port", "number")?.ToString(System.Globalization.CultureInfo.InvariantCulture)
        ?? Backend.Str("service", "port", "name") ?? string.Empty;
}

/// <summary>
/// Reads <c>spec.rules</c> and <c>spec.defaultBackend</c> into <see cref="IngressPath"/>s, reporting what the gateway
/// cannot serve faithfully (an invalid host or path, a Resource backend, an unknown pathType) as problems.
/// </summary>
internal static class IngressRules
{
    public static ImmutableArray<IngressPath> Read(JsonElement ingress, List<string> problems)
    {
        var result = ImmutableArray.CreateBuilder<IngressPath>();
        foreach (var rule in ingress.Items("spec", "rules"))
        {
            var host = Host(rule.Str("host"), problems);
            foreach (var path in rule.Items("http", "paths"))
            {
                var text = path.Str("path") ?? "/";
                if (!text.StartsWith('/') || text.IndexOfAny(['{', '}', '?', '#', '*']) >= 0)
                {
                    problems.Add($"path '{text}' must start with '/' and hold no '{{', '}}', '?', '#' or '*'.");
                    continue;
                }

                var exact = (path.Str("pathType") ?? "Prefix") switch
                {
                    "Exact" => true,
                    "Prefix" or "ImplementationSpecific" => false,
                    var other => Problem(problems, $"pathType '{other}' of path '{text}' is not Exact, Prefix or ImplementationSpecific."),
                };
                if (exact is { } isExact && Backend(path.Prop("backend"), text, problems) is { } backend)
                {
                    result.Add(new IngressPath(host, text, isExact, backend, IsDefaultBackend: false));
                }
            }
        }

        if (ingress.Path("spec", "defaultBackend") is { } fallback && Backend(fallback, "defaultBackend", problems) is { } defaultBackend)
        {
            result.Add(new IngressPath(null, "/", Exact: false, defaultBackend, IsDefaultBackend: true));
        }

        return result.ToImmutable();
    }

    /// <summary>Every host the Ingress names (rules and TLS), valid or not as far as they can be read: the hosts to close if it is rejected.</summary>
    public static IEnumerable<string> Hosts(JsonElement ingress) =>
        ingress.Items("spec", "rules").Select(r => r.Str("host"))
            .Concat(ingress.Items("spec", "tls").SelectMany(t => t.Items("hosts")).Select(h => h.ValueKind == JsonValueKind.String ? h.GetString() : null))
            .OfType<string>()
            .Select(h => h.Trim().ToLowerInvariant())
            .Where(h => HostPattern.Check(h) is null)
            .Distinct(StringComparer.Ordinal);

    private static string? Host(string? host, List<string> problems)
    {
        if (host is null)
        {
            return null;
        }

        host = host.Trim().ToLowerInvariant();
        if (HostPattern.Check(host) is { } problem)
        {
            problems.Add($"host '{host}': {problem}");
        }

        return host;
    }

    private static JsonElement? Backend(JsonElement? backend, string where, List<string> problems)
    {
        if (backend is not { } value || value.Prop("service") is not { } service)
        {
            problems.Add($"the backend of {where} is not a Service; Resource backends are not supported.");
            return null;
        }

        if (service.Str("name") is null || (service.Int("port", "number") is null && service.Str("port", "name") is null))
        {
            problems.Add($"the backend of {where} needs service.name and service.port.number or service.port.name.");
            return null;
        }

        return value;
    }

    private static bool? Problem(List<string> problems, string message)
    {
        problems.Add(message);
        return null;
    }
}

using Gateway.Configuration;

namespace Gateway.Observability;

internal static class MetricsCompiler
{
    private const string Key = "Gateway:Metrics";

    public static MetricsSettings Compile(MetricsOptions options, ConfigErrors errors)
    {
        var otlp = options.Otlp;
        var configured = otlp.Protocol is not null || otlp.Interval is not null || otlp.Headers.Count > 0;
        if (otlp.Endpoint is null)
        {
            if (configured)
            {
                errors.Add(Key + ":Otlp:Endpoint", "is required when other Otlp settings are given: the collector's URL, such as http://collector:4317.");
            }

            return new MetricsSettings(options.Enabled ?? true, null, options.FrameworkRequestMetrics ?? false);
        }

        if (!Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(Key + ":Otlp:Endpoint", $"'{otlp.Endpoint}' is not an http:// or https:// URL; write the collector's address, such as http://collector:4317.");
        }

        var protocol = (otlp.Protocol ?? "grpc").Trim().ToLowerInvariant() switch
        {
            "grpc" => OtlpProtocol.Grpc,
            "http" or "http/protobuf" => OtlpProtocol.Http,
            _ => (OtlpProtocol?)null,
        };
        if (protocol is null)
        {
            errors.Add(Key + ":Otlp:Protocol", $"'{otlp.Protocol}' is not an OTLP protocol; use grpc or http.");
        }

        var interval = Duration.Parse(otlp.Interval, TimeSpan.FromSeconds(15), Key + ":Otlp:Interval", errors, TimeSpan.FromMilliseconds(100));
        foreach (var (name, _) in otlp.Headers)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                errors.Add($"{Key}:Otlp:Headers:{name}", "is not an HTTP header name; use letters, digits and '-'.");
            }
        }

        if (endpoint is null || protocol is null)
        {
            return new MetricsSettings(options.Enabled ?? true, null, options.FrameworkRequestMetrics ?? false);
        }

        return new MetricsSettings(
            options.Enabled ?? true,
            new OtlpSettings(endpoint, protocol.Value, interval, new Dictionary<string, string>(otlp.Headers, StringComparer.OrdinalIgnoreCase)),
            options.FrameworkRequestMetrics ?? false);
    }
}

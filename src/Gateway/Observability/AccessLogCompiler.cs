using Gateway.Configuration;

namespace Gateway.Observability;

internal static class AccessLogCompiler
{
    private const string Key = "Gateway:AccessLog";

    public static AccessLogSettings Compile(AccessLogOptions options, string contentRoot, ConfigErrors errors)
    {
        var defaults = AccessLogSettings.Default;
        var format = (options.Format ?? "text").Trim().ToLowerInvariant() switch
        {
            "text" => AccessLogFormat.Text,
            "json" => AccessLogFormat.Json,
            _ => (AccessLogFormat?)null,
        };
        if (format is null)
        {
            errors.Add(Key + ":Format", $"'{options.Format}' is not an access-log format; use text or json.");
        }

        string? path = null;
        var toStdout = options.Path is null || options.Path.Trim() is "-" or "stdout" or "";
        if (!toStdout)
        {
            var text = options.Path!.Trim();
            if (text.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || text.EndsWith('/'))
            {
                errors.Add(Key + ":Path", $"'{options.Path}' is not a file path; name a file such as /var/log/gateway/access.log, or '-' for standard output.");
            }
            else
            {
                path = System.IO.Path.GetFullPath(text, contentRoot);
            }
        }
        else if (options.MaxSize is not null || options.MaxFiles is not null)
        {
            errors.Add(Key, "sets MaxSize or MaxFiles, which rotate a file, but no Path; set Path to a file or remove them.");
        }

        var maxSize = ByteSize.Parse(options.MaxSize, defaults.MaxSize, Key + ":MaxSize", errors, min: 1L << 10);
        if (options.MaxFiles is < 1 or > 1000)
        {
            errors.Add(Key + ":MaxFiles", $"{options.MaxFiles} is out of range; keep 1 to 1000 rotated files.");
        }

        if (options.QueueSize is < 16 or > 1_000_000)
        {
            errors.Add(Key + ":QueueSize", $"{options.QueueSize} is out of range; use 16 to 1000000 lines.");
        }

        return new AccessLogSettings(
            options.Enabled ?? true, format ?? defaults.Format, path, maxSize, options.MaxFiles ?? defaults.MaxFiles, options.QueueSize ?? defaults.QueueSize);
    }
}

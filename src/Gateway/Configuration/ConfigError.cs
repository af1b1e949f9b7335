namespace Gateway.Configuration;

/// <summary>One problem found in the configuration: the key path it concerns and what to do about it.</summary>
internal sealed record ConfigError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>Collects every error of one compile pass so that a user sees all of them at once.</summary>
internal sealed class ConfigErrors
{
    private readonly List<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> All => _errors;

    public bool Any => _errors.Count > 0;

    public void Add(string key, string message) => _errors.Add(new ConfigError(key, message));
}

/// <summary>Thrown when the first load finds errors: start-up stops and every error is printed.</summary>
internal sealed class GatewayConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(FormatMessage(errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    private static string FormatMessage(IReadOnlyList<ConfigError> errors) =>
        $"The configuration has {errors.Count} error(s):" + Environment.NewLine +
        string.Join(Environment.NewLine, errors.Select(e => "  - " + e));
}

namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's request logging (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c> at Information) prints request
/// URLs, and a redemption URL carries a KAT. That category is held at Warning or quieter whatever the configuration
/// says, for every logging provider, so no level setting can put a token into a log; the access log records requests
/// instead, with the token removed. A quieter level the configuration gives it (the default is None) is kept.
/// </summary>
internal static class TokenLogFilter
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IServiceCollection HoldRequestLoggingAtWarning(this IServiceCollection services) =>
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            // Provider-specific rules beat provider-less ones, so add ours for each provider the configuration names,
            // at the level that provider would have had, raised to Warning.
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            var levels = providers.Select(p => Max(Effective(options, p), LogLevel.Warning)).ToList();
            for (var i = 0; i < providers.Count; i++)
            {
                options.Rules.Add(new LoggerFilterRule(providers[i], Category, levels[i], null));
            }
        });

    /// <summary>The level the rules give the category for a provider, chosen as the logging library chooses.</summary>
    private static LogLevel Effective(LoggerFilterOptions options, string? provider)
    {
        LoggerFilterRule? best = null;
        foreach (var rule in options.Rules)
        {
            var applies = (rule.ProviderName is null || rule.ProviderName == provider) &&
                (rule.CategoryName is null || Category.StartsWith(rule.CategoryName, StringComparison.OrdinalIgnoreCase));
            if (applies && rule.Filter is null && (best is null || !IsWorse(rule, best)))
            {
                best = rule;
            }
        }

        return best?.LogLevel ?? options.MinLevel;
    }

    // A provider-specific rule beats a provider-less one, then the longer category; of equals, the later one wins.
    private static bool IsWorse(LoggerFilterRule rule, LoggerFilterRule current) =>
        (rule.ProviderName is null && current.ProviderName is not null) ||
        (rule.ProviderName is null == current.ProviderName is null && (rule.CategoryName?.Length ?? 0) < (current.CategoryName?.Length ?? 0));

    private static LogLevel Max(LogLevel? a, LogLevel b) => a is { } level && level > b ? level : b;
}

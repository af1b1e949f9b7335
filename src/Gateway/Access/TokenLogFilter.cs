namespace Gateway.Access;

/// <summary>
/// ASP.NET Core's request logging (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c> at Information) prints request
/// URLs, and a redemption URL carries a KAT. That category is held at Warning whatever the configuration says, for
/// every logging provider, so no level setting can put a token into a log; the access log records requests instead,
/// with the token removed.
/// </summary>
internal static class TokenLogFilter
{
    private const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static IServiceCollection HoldRequestLoggingAtWarning(this IServiceCollection services) =>
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            // Provider-specific rules beat provider-less ones, so add ours for each provider the configuration names.
            var providers = options.Rules.Select(r => r.ProviderName).Distinct().ToList();
            options.Rules.RemoveAll(r => string.Equals(r.CategoryName, Category, StringComparison.Ordinal) && r.LogLevel < LogLevel.Warning);
            foreach (var provider in providers.Append(null).Distinct())
            {
                options.Rules.Add(new LoggerFilterRule(provider, Category, LogLevel.Warning, null));
            }
        });

    private static void RemoveAll(this IList<LoggerFilterRule> rules, Func<LoggerFilterRule, bool> predicate)
    {
        for (var i = rules.Count - 1; i >= 0; i--)
        {
            if (predicate(rules[i]))
            {
                rules.RemoveAt(i);
            }
        }
    }
}

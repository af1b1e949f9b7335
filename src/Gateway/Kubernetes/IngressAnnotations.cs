using System.Collections.Immutable;
using Gateway.Access.Lists;
using Gateway.Configuration;

namespace Gateway.Kubernetes;

/// <summary>
/// What an Ingress cannot say in its spec, read from annotations under <see cref="Prefix"/>, plus ingress-nginx's
/// <c>whitelist-source-range</c>. Any unknown key under our prefix or any invalid value is a problem that rejects
/// the Ingress: a typo in <c>access-policy</c> must never leave a host open by accident.
/// </summary>
internal sealed record IngressAnnotations
{
    public const string Prefix = "gateway.ingress/";
    public const string AccessPolicy = Prefix + "access-policy";
    public const string AccessList = Prefix + "access-list";
    public const string RejectAction = Prefix + "reject-action";
    public const string RejectStatus = Prefix + "reject-status";
    public const string RejectUrl = Prefix + "reject-url";
    public const string RejectCluster = Prefix + "reject-cluster";
    public const string Acme = Prefix + "acme";
    public const string BackendProtocol = Prefix + "backend-protocol";
    public const string BackendTlsVerify = Prefix + "backend-tls-verify";
    public const string ConnectTimeout = Prefix + "connect-timeout";
    public const string ServerTimeout = Prefix + "server-timeout";
    public const string NginxWhitelist = "nginx.ingress.kubernetes.io/whitelist-source-range";

    private static readonly string[] Known =
        [AccessPolicy, AccessList, RejectAction, RejectStatus, RejectUrl, RejectCluster, Acme, BackendProtocol, BackendTlsVerify, ConnectTimeout, ServerTimeout];

    /// <summary><c>none</c>, <c>ip</c>, <c>kat</c> or <c>ip+kat</c>; null: open (no annotation).</summary>
    public string? Policy { get; init; }

    /// <summary>The file config's access list the policy checks; null with <see cref="SourceRanges"/>: the Ingress's own list.</summary>
    public string? List { get; init; }

    /// <summary>Networks of <c>whitelist-source-range</c>, which become an access list of this Ingress.</summary>
    public ImmutableArray<string> SourceRanges { get; init; } = [];

    public string? RejectActionValue { get; init; }

    public int? RejectStatusValue { get; init; }

    public string? RejectUrlValue { get; init; }

    public string? RejectClusterValue { get; init; }

    public bool AcmeValue { get; init; }

    public bool Https { get; init; }

    public bool? Verify { get; init; }

    public string? Connect { get; init; }

    public string? Server { get; init; }

    /// <summary>Reads the annotations; every problem found goes to <paramref name="problems"/>.</summary>
    public static IngressAnnotations Parse(IReadOnlyDictionary<string, string> annotations, FileView files, List<string> problems)
    {
        foreach (var key in annotations.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal) && !Known.Contains(k)).Order(StringComparer.Ordinal))
        {
            problems.Add($"unknown annotation {key}; known ones are {string.Join(", ", Known)}.");
        }

        string? Get(string key) => annotations.TryGetValue(key, out var value) ? value.Trim() : null;

        var policy = Get(AccessPolicy)?.ToLowerInvariant();
        if (policy is not null and not ("none" or "ip" or "kat" or "ip+kat" or "kat+ip"))
        {
            problems.Add($"{AccessPolicy}: '{policy}' is not a policy; use none, ip, kat or ip+kat.");
        }

        var list = Get(AccessList);
        if (list is not null && (list.StartsWith(KubernetesFragment.ListPrefix, StringComparison.OrdinalIgnoreCase) || !files.Lists.Contains(list)))
        {
            problems.Add($"{AccessList}: '{list}' is not an access list of the gateway's configuration (Gateway:Access:Lists).");
        }

        var ranges = ImmutableArray.CreateBuilder<string>();
        if (Get(NginxWhitelist) is { } whitelist)
        {
            foreach (var range in whitelist.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IpPattern.TryParse(range, out _))
                {
                    ranges.Add(range);
                }
                else
                {
                    problems.Add($"{NginxWhitelist}: '{range}' is not an address or CIDR network.");
                }
            }

            if (ranges.Count == 0 && problems.Count == 0)
            {
                problems.Add($"{NginxWhitelist} is empty; remove it, or list the networks allowed.");
            }

            if (list is not null)
            {
                problems.Add($"{NginxWhitelist} and {AccessList} are both set; an Ingress checks one list.");
            }
        }

        var hasList = list is not null || ranges.Count > 0;
        policy ??= ranges.Count > 0 ? "ip" : hasList ? "ip+kat" : null;
        if (policy is "ip" or "kat" or "ip+kat" or "kat+ip" && !hasList)
        {
            problems.Add($"{AccessPolicy}: '{policy}' needs a list: set {AccessList} or {NginxWhitelist}.");
        }

        if (policy == "none" && hasList)
        {
            problems.Add($"{AccessPolicy} is none but a list is given; remove one of them.");
        }

        var action = Get(RejectAction)?.ToLowerInvariant();
        if (action is not null and not ("deny" or "redirect" or "fallback"))
        {
            problems.Add($"{RejectAction}: '{action}' is not a reject action; use deny, redirect or fallback.");
        }

        int? status = null;
        if (Get(RejectStatus) is { } statusText)
        {
            status = statusText switch { "403" => 403, "503" => 503, _ => null };
            if (status is null)
            {
                problems.Add($"{RejectStatus}: '{statusText}' is not a reject status; use 403 or 503.");
            }
        }

        var url = Get(RejectUrl);
        if ((action == "redirect") != (url is not null))
        {
            problems.Add($"{RejectUrl} goes with {RejectAction}: redirect, and only with it.");
        }
        else if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            problems.Add($"{RejectUrl}: '{url}' is not an absolute http(s) URL.");
        }

        var cluster = Get(RejectCluster);
        if (cluster is not null && (action != "fallback" || !files.Clusters.Contains(cluster)))
        {
            problems.Add($"{RejectCluster}: '{cluster}' must name a cluster of the gateway's configuration, with {RejectAction}: fallback.");
        }
        else if (action == "fallback" && cluster is null && !files.HasFallback)
        {
            problems.Add($"{RejectAction}: fallback needs {RejectCluster} or Gateway:Fallback:Cluster.");
        }

        if ((action is not null || status is not null) && policy is null or "none")
        {
            problems.Add($"{RejectAction}/{RejectStatus} need an access policy to act on.");
        }

        var protocol = Get(BackendProtocol)?.ToLowerInvariant();
        if (protocol is not null and not ("http" or "https"))
        {
            problems.Add($"{BackendProtocol}: '{protocol}' is not a backend protocol; use http or https.");
        }

        var verify = Bool(Get(BackendTlsVerify), BackendTlsVerify, problems);
        if (verify is not null && protocol != "https")
        {
            problems.Add($"{BackendTlsVerify} applies only with {BackendProtocol}: https.");
        }

        return new IngressAnnotations
        {
            Policy = policy == "kat+ip" ? "ip+kat" : policy,
            List = list,
            SourceRanges = ranges.ToImmutable(),
            RejectActionValue = action,
            RejectStatusValue = status,
            RejectUrlValue = url,
            RejectClusterValue = cluster,
            AcmeValue = Bool(Get(Acme), Acme, problems) ?? false,
            Https = protocol == "https",
            Verify = verify,
            Connect = DurationOf(Get(ConnectTimeout), ConnectTimeout, problems),
            Server = DurationOf(Get(ServerTimeout), ServerTimeout, problems),
        };
    }

    private static bool? Bool(string? text, string key, List<string> problems)
    {
        switch (text?.ToLowerInvariant())
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                problems.Add($"{key}: '{text}' is not true or false.");
                return null;
        }
    }

    private static string? DurationOf(string? text, string key, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (!Duration.TryParse(text, out var value) || value <= TimeSpan.Zero)
        {
            problems.Add($"{key}: '{text}' is not a duration such as 5s, 500ms or 2m.");
            return null;
        }

        return text;
    }
}

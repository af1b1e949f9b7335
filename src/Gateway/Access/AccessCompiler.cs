using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Gateway.Access.Lists;
using Gateway.Configuration;
using Gateway.Routing;

namespace Gateway.Access;

/// <summary>Validates <c>Gateway:Access</c> and every route's <c>Access</c> settings into an <see cref="AccessConfig"/>.</summary>
internal static class AccessCompiler
{
    private const string Key = "Gateway:Access";

    public static AccessConfig Compile(GatewayOptions options, IReadOnlySet<string> clusters, ConfigErrors errors)
    {
        var access = options.Access;
        var lists = CompileLists(access, errors);
        var listNames = lists.Select(l => l.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var tokenLifetime = Duration.Parse(access.Tokens.Lifetime, TimeSpan.FromSeconds(60), Key + ":Tokens:Lifetime", errors, TimeSpan.FromSeconds(1));
        var queryParameter = access.Tokens.QueryParameter ?? "kat";
        if (!IsToken(queryParameter))
        {
            errors.Add(Key + ":Tokens:QueryParameter", $"'{queryParameter}' is not a query parameter name (letters, digits, '-' and '_').");
        }

        var lifetime = Duration.Parse(access.Sessions.Lifetime, TimeSpan.FromHours(12), Key + ":Sessions:Lifetime", errors, TimeSpan.FromMinutes(1));
        var idle = Duration.Parse(access.Sessions.IdleTimeout, TimeSpan.FromHours(1), Key + ":Sessions:IdleTimeout", errors, TimeSpan.FromSeconds(10));
        var cookie = access.Sessions.CookieName ?? "gw_session";
        if (!IsToken(cookie))
        {
            errors.Add(Key + ":Sessions:CookieName", $"'{cookie}' is not a cookie name (letters, digits, '-' and '_').");
        }

        Uri? portal = null;
        if (access.PortalUrl is { } portalText && (!Uri.TryCreate(portalText, UriKind.Absolute, out portal) || (portal.Scheme != "https" && portal.Scheme != "http")))
        {
            errors.Add(Key + ":PortalUrl", $"'{portalText}' is not an absolute http(s) URL.");
        }

        var returnHosts = access.ReturnHosts.Count > 0
            ? CheckHosts(access.ReturnHosts, Key + ":ReturnHosts", errors)
            : [.. options.Routes.Values.SelectMany(r => r.Hosts).Select(h => h.Trim().ToLowerInvariant()).Distinct()];

        return new AccessConfig
        {
            TrustedProxies = CompileNetworks(access.TrustedProxies, Key + ":TrustedProxies", errors),
            ForwardedHeader = CompileForwarded(access.ForwardedHeader, errors),
            Lists = lists,
            TokenLifetime = tokenLifetime,
            TokenQueryParameter = queryParameter,
            SessionLifetime = lifetime,
            SessionIdleTimeout = idle,
            CookieName = cookie,
            ReturnHosts = returnHosts,
            PortalUrl = portal,
            RoutePolicies = CompilePolicies(options, listNames, clusters, errors),
        };
    }

    private static ImmutableArray<ListDefinition> CompileLists(AccessOptions access, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<ListDefinition>();
        var ids = new Dictionary<int, string>();
        foreach (var (name, list) in access.Lists.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var key = $"{Key}:Lists:{name}";
            var before = errors.All.Count;
            if (!IsToken(name))
            {
                errors.Add(key, $"'{name}' is not a list name (letters, digits, '-' and '_'), as HAProxy's runtime API addresses lists by name.");
            }

            if (list.Id is not { } id)
            {
                errors.Add(key + ":Id", "is required: the number the runtime API addresses the list by (HAProxy's -u 500 gives #500).");
                continue;
            }

            ClaimId(ids, id, $"list '{name}'", key + ":Id", errors);
            if (list.TokenMapId is { } mapId)
            {
                ClaimId(ids, mapId, $"the token map of list '{name}'", key + ":TokenMapId", errors);
            }

            var entries = ImmutableArray.CreateBuilder<(string, IpPattern)>();
            for (var i = 0; i < list.Entries.Count; i++)
            {
                var text = list.Entries[i]?.Trim() ?? string.Empty;
                if (IpPattern.TryParse(text, out var parsed))
                {
                    entries.Add((text, parsed));
                }
                else
                {
                    errors.Add($"{key}:Entries:{i}", $"'{text}' is not a valid IPv4 or IPv6 address or CIDR prefix.");
                }
            }

            TimeSpan? ttl = list.DefaultTtl is null ? null : Duration.Parse(list.DefaultTtl, TimeSpan.Zero, key + ":DefaultTtl", errors, TimeSpan.FromSeconds(1));
            ImmutableArray<string> groups = [.. list.Groups.Select(g => g?.Trim() ?? string.Empty)];
            foreach (var i in Enumerable.Range(0, groups.Length).Where(i => groups[i].Length is 0 or > 256 || groups[i].Any(char.IsControl)))
            {
                errors.Add($"{key}:Groups:{i}", $"'{groups[i]}' is not a group name; write it as the login's groups claim carries it, or '*' for every signed-in user.");
            }

            if (errors.All.Count == before)
            {
                result.Add(new ListDefinition(name, id, list.TokenMapId, entries.ToImmutable(), ttl) { Groups = groups });
            }
        }

        return result.ToImmutable();
    }

    private static void ClaimId(Dictionary<int, string> ids, int id, string owner, string key, ConfigErrors errors)
    {
        if (id < 0)
        {
            errors.Add(key, $"{id} is negative; ids are 0 or more.");
        }
        else if (ids.TryGetValue(id, out var other))
        {
            errors.Add(key, $"#{id} is already used by {other}; ids of lists and token maps must be unique.");
        }
        else
        {
            ids[id] = owner;
        }
    }

    private static FrozenDictionary<string, RoutePolicy> CompilePolicies(
        GatewayOptions options, HashSet<string> lists, IReadOnlySet<string> clusters, ConfigErrors errors)
    {
        var policies = new Dictionary<string, RoutePolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, route) in options.Routes)
        {
            var key = $"Gateway:Routes:{id}:Access";
            var access = route.Access;
            if (access.Policy is null && access.List is null)
            {
                continue;
            }

            var mode = (access.Policy ?? "ip+kat").Trim().ToLowerInvariant() switch
            {
                "none" => PolicyMode.None,
                "ip" => PolicyMode.Ip,
                "kat" => PolicyMode.Kat,
                "ip+kat" or "kat+ip" => PolicyMode.IpAndKat,
                _ => (PolicyMode?)null,
            };
            if (mode is null)
            {
                errors.Add(key + ":Policy", $"'{access.Policy}' is not a policy; use none, ip, kat or ip+kat.");
                continue;
            }

            if (mode == PolicyMode.None)
            {
                continue;
            }

            if (access.List is null)
            {
                errors.Add(key + ":List", $"is required for policy '{RoutePolicy.Describe(mode.Value)}': name the access list under Gateway:Access:Lists.");
                continue;
            }

            if (!lists.Contains(access.List))
            {
                errors.Add(key + ":List", $"'{access.List}' is not an access list; define it under Gateway:Access:Lists.");
                continue;
            }

            if (CompileReject(access.Reject, key + ":Reject", options.Fallback.Cluster, clusters, errors) is { } reject)
            {
                var list = options.Access.Lists.Keys.First(k => k.Equals(access.List, StringComparison.OrdinalIgnoreCase));
                policies[id] = new RoutePolicy(id, mode.Value, list, reject, options.Access.Sessions.CookieName ?? "gw_session");
            }
        }

        return policies.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static RejectAction? CompileReject(RejectOptions reject, string key, string? fallback, IReadOnlySet<string> clusters, ConfigErrors errors)
    {
        switch ((reject.Action ?? "deny").Trim().ToLowerInvariant())
        {
            case "deny":
                var status = reject.Status ?? StatusCodes.Status403Forbidden;
                if (status is not (StatusCodes.Status403Forbidden or StatusCodes.Status503ServiceUnavailable))
                {
                    errors.Add(key + ":Status", $"{status} is not a reject status; use 403 or 503.");
                    return null;
                }

                byte[]? page = null;
                if (reject.Page is { } path)
                {
                    try
                    {
                        page = File.ReadAllBytes(path);
                        if (page.Length > 64 * 1024)
                        {
                            errors.Add(key + ":Page", $"'{path}' is larger than 64 KiB; an error page should be small.");
                            return null;
                        }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        errors.Add(key + ":Page", $"'{path}' cannot be read: {e.Message}");
                        return null;
                    }
                }

                return new RejectAction(RejectKind.Deny, status, page, null, null);
            case "redirect":
                if (reject.Url is null || !Uri.TryCreate(reject.Url, UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http"))
                {
                    errors.Add(key + ":Url", $"is required for the redirect action: an absolute http(s) URL of the login portal{(reject.Url is null ? "" : $", not '{reject.Url}'")}.");
                    return null;
                }

                return new RejectAction(RejectKind.Redirect, StatusCodes.Status302Found, null, url, null);
            case "fallback":
                var cluster = reject.Cluster ?? fallback;
                if (cluster is null)
                {
                    errors.Add(key + ":Cluster", "is required for the fallback action: name a cluster, or set Gateway:Fallback:Cluster.");
                    return null;
                }

                if (!clusters.Contains(cluster))
                {
                    errors.Add(key + ":Cluster", $"'{cluster}' is not a cluster; define it under Gateway:Clusters.");
                    return null;
                }

                return new RejectAction(RejectKind.Fallback, 0, null, null, cluster);
            default:
                errors.Add(key + ":Action", $"'{reject.Action}' is not a reject action; use deny, redirect or fallback.");
                return null;
        }
    }

    private static ImmutableArray<IPNetwork> CompileNetworks(List<string> networks, string key, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<IPNetwork>();
        for (var i = 0; i < networks.Count; i++)
        {
            var text = networks[i]?.Trim() ?? string.Empty;
            if (IPNetwork.TryParse(text, out var network))
            {
                result.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address))
            {
                address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
                result.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                errors.Add($"{key}:{i}", $"'{text}' is not an address or a CIDR network such as 10.0.0.0/8.");
            }
        }

        return result.ToImmutable();
    }

    private static ForwardedHeaderMode CompileForwarded(string? text, ConfigErrors errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "x-forwarded-for":
                return ForwardedHeaderMode.XForwardedFor;
            case "forwarded":
                return ForwardedHeaderMode.Forwarded;
            case "both":
                return ForwardedHeaderMode.Both;
            default:
                errors.Add(Key + ":ForwardedHeader", $"'{text}' is not a forwarding header; use X-Forwarded-For, Forwarded or both.");
                return ForwardedHeaderMode.XForwardedFor;
        }
    }

    private static ImmutableArray<string> CheckHosts(List<string> hosts, string key, ConfigErrors errors)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i]?.Trim() ?? string.Empty;
            if (HostPattern.Check(host) is { } problem)
            {
                errors.Add($"{key}:{i}", problem);
            }
            else
            {
                result.Add(host.ToLowerInvariant());
            }
        }

        return result.ToImmutable();
    }

    private static bool IsToken(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

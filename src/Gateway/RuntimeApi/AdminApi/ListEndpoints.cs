using System.Globalization;
using System.Net;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Access.Tokens;
using Gateway.Configuration;
using Gateway.RuntimeApi.Commands;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary>
/// <c>/api/v1/lists</c>: allowlists and their entries, and the KATs of each list. The same validation as the runtime
/// socket (the same address syntax, the same writer), so an entry added here is indistinguishable from one added there.
/// </summary>
internal static class ListEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/lists", GetLists).WithLevel(CliLevel.User).WithSummary("Every access list with its ids and sizes.");
        api.MapGet("/lists/{name}", GetList).WithLevel(CliLevel.User).WithSummary("One list with its entries, in insertion order.");
        api.MapPost("/lists/{name}/entries", AddEntryAsync).WithLevel(CliLevel.Operator).WithSummary("Adds an address or CIDR prefix, with an optional time-to-live.");
        api.MapDelete("/lists/{name}/entries/{id}", RemoveEntryAsync).WithLevel(CliLevel.Operator).WithSummary("Removes one entry by its id (0x...).");
        api.MapDelete("/lists/{name}/entries", RemovePatternAsync).WithLevel(CliLevel.Operator).WithSummary("Removes every entry equal to ?pattern=.");
        api.MapPost("/lists/{name}/tokens", IssueTokenAsync).WithLevel(CliLevel.Operator).WithSummary("Issues a KAT: returns the token (shown once) and the URL that redeems it.");
        api.MapGet("/lists/{name}/tokens", GetTokens).WithLevel(CliLevel.Operator).WithSummary("Unredeemed KATs of the list (never the tokens themselves).");
        api.MapDelete("/lists/{name}/tokens/{id}", RevokeTokenAsync).WithLevel(CliLevel.Operator).WithSummary("Withdraws an unredeemed KAT.");
    }

    private static Ok<ListSummary[]> GetLists(AccessState state) =>
        TypedResults.Ok(state.Lists.Select(l => new ListSummary(
            l.Name, l.Id, state.TryGetMap(l.Name, out var map) ? map.Id : null, l.Count, map?.Count ?? 0, Ttl(l.DefaultTtl))).ToArray());

    private static Results<Ok<ListDetail>, NotFound<ApiError>> GetList(string name, AccessState state, TimeProvider time)
    {
        if (!TryFind(state, name, out var list))
        {
            return UnknownList(name);
        }

        var now = time.GetUtcNow();
        var entries = list.Entries.Where(e => e.IsLiveAt(now)).Select(View).ToArray();
        return TypedResults.Ok(new ListDetail(list.Name, list.Id, state.TryGetMap(list.Name, out var map) ? map.Id : null, Ttl(list.DefaultTtl), entries));
    }

    private static async Task<Results<Created<EntryView>, NotFound<ApiError>, BadRequest<ApiError>>> AddEntryAsync(
        string name, AddEntryRequest request, HttpContext http, AccessState state, AccessWriter writer)
    {
        if (!TryFind(state, name, out var list))
        {
            return UnknownList(name);
        }

        var pattern = request.Pattern?.Trim() ?? string.Empty;
        if (!AddressSyntax.TryParsePattern(pattern, out var parsed))
        {
            return TypedResults.BadRequest(new ApiError($"'{pattern}' is not a valid IPv4 or IPv6 address or CIDR prefix."));
        }

        if (!TryTtl(request.Ttl, out var ttl))
        {
            return TypedResults.BadRequest(new ApiError($"'{request.Ttl}' is not a duration such as 90s, 5m or 12h."));
        }

        var entry = await writer.AddEntryAsync(list, pattern, parsed, ttl, ApiKeyFilter.Actor(http), http.RequestAborted);
        return TypedResults.Created($"/api/v1/lists/{list.Name}", View(entry));
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> RemoveEntryAsync(string name, string id, HttpContext http, AccessState state, AccessWriter writer)
    {
        if (!TryFind(state, name, out var list))
        {
            return UnknownList(name);
        }

        return TryParseId(id, out var entryId) && await writer.RemoveEntryAsync(list, entryId, ApiKeyFilter.Actor(http), http.RequestAborted)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new ApiError($"List '{list.Name}' has no entry {id}."));
    }

    private static async Task<Results<Ok<RemovedCount>, NotFound<ApiError>, BadRequest<ApiError>>> RemovePatternAsync(
        string name, string? pattern, HttpContext http, AccessState state, AccessWriter writer)
    {
        if (!TryFind(state, name, out var list))
        {
            return UnknownList(name);
        }

        if (string.IsNullOrEmpty(pattern))
        {
            return TypedResults.BadRequest(new ApiError("Give the entry to remove as ?pattern=, exactly as it was added."));
        }

        return TypedResults.Ok(new RemovedCount(await writer.RemovePatternAsync(list, pattern, ApiKeyFilter.Actor(http), http.RequestAborted)));
    }

    private static async Task<Results<Created<IssuedToken>, NotFound<ApiError>, BadRequest<ApiError>>> IssueTokenAsync(
        string name, IssueTokenRequest request, HttpContext http, AccessState state, AccessWriter writer, GatewayConfigManager config)
    {
        if (!TryFind(state, name, out var list) || !state.TryGetMap(list.Name, out var map))
        {
            return UnknownList(name);
        }

        var access = config.Current.Access;
        if (request.User is { } user && (user.Length == 0 || user.AsSpan().IndexOfAny(",=\n\r") >= 0))
        {
            return TypedResults.BadRequest(new ApiError("A user name must not be empty nor hold ',', '=' or line breaks."));
        }

        if (request.Ip is { } ip && !IPAddress.TryParse(ip, out _))
        {
            return TypedResults.BadRequest(new ApiError($"'{ip}' is not an IP address."));
        }

        if (!TryTtl(request.Ttl, out var ttl))
        {
            return TypedResults.BadRequest(new ApiError($"'{request.Ttl}' is not a duration such as 60s or 5m."));
        }

        if (request.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out _) && ReturnUrls.IsAllowed(url, access)))
        {
            return TypedResults.BadRequest(new ApiError($"'{url}' is not an absolute URL on a host this gateway serves."));
        }

        var value = string.Join(',', new[] { request.User is null ? null : "user=" + request.User, request.Ip is null ? null : "ip=" + request.Ip }.OfType<string>());
        var (token, kat) = await writer.IssueTokenAsync(map, null, value, ttl ?? access.TokenLifetime, ApiKeyFilter.Actor(http), http.RequestAborted);
        var redemption = RedemptionUrls.For(list.Name, request.Url, token, config.Current);
        return TypedResults.Created($"/api/v1/lists/{list.Name}/tokens", new IssuedToken(Reference(kat.Id), token, redemption, kat.ExpiresAt));
    }

    private static Results<Ok<TokenView[]>, NotFound<ApiError>> GetTokens(string name, AccessState state, TimeProvider time)
    {
        if (!TryFind(state, name, out var list) || !state.TryGetMap(list.Name, out var map))
        {
            return UnknownList(name);
        }

        var now = time.GetUtcNow();
        return TypedResults.Ok(map.Tokens.Where(k => k.ExpiresAt > now)
            .Select(k => new TokenView(Reference(k.Id), k.User, k.BoundIp?.ToString(), k.IssuedAt, k.ExpiresAt)).ToArray());
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> RevokeTokenAsync(string name, string id, HttpContext http, AccessState state, AccessWriter writer)
    {
        if (!TryFind(state, name, out var list) || !state.TryGetMap(list.Name, out var map))
        {
            return UnknownList(name);
        }

        Kat? kat = TryParseId(id, out var tokenId) ? map.Tokens.FirstOrDefault(k => k.Id == tokenId) : null;
        if (kat is null)
        {
            return TypedResults.NotFound(new ApiError($"List '{list.Name}' has no unredeemed token {id}."));
        }

        await writer.RemoveTokenAsync(map, kat.Hash, ApiKeyFilter.Actor(http), http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static bool TryFind(AccessState state, string name, out AccessList list) => state.TryGetList(name, out list);

    private static NotFound<ApiError> UnknownList(string name) => TypedResults.NotFound(new ApiError($"There is no access list named '{name}'."));

    private static EntryView View(ListEntry entry) =>
        new(Reference(entry.Id), entry.Pattern, entry.ExpiresAt, entry.Source == EntrySource.Config ? "config" : "runtime");

    private static string Reference(long id) => "0x" + id.ToString("x", CultureInfo.InvariantCulture);

    private static bool TryParseId(string text, out long id) =>
        long.TryParse(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id);

    private static string? Ttl(TimeSpan? ttl) => ttl is { } value ? Duration.Format(value) : null;

    private static bool TryTtl(string? text, out TimeSpan? ttl)
    {
        ttl = null;
        if (text is null)
        {
            return true;
        }

        if (Duration.TryParse(text, out var value) && value >= TimeSpan.FromSeconds(1))
        {
            ttl = value;
            return true;
        }

        return false;
    }
}

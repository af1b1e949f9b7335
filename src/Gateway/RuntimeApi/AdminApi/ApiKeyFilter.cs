using Gateway.Configuration;
using Gateway.State;

namespace Gateway.RuntimeApi.AdminApi;

internal static class RequiresLevelExtensions
{
    /// <summary>Marks the level an endpoint needs and documents the answers the key check may give.</summary>
    public static RouteHandlerBuilder WithLevel(this RouteHandlerBuilder builder, CliLevel level) =>
        builder.WithMetadata(new RequiresLevel(level))
            .Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status403Forbidden);
}

/// <summary>The level an admin API endpoint needs (as the runtime API's levels: user reads, operator changes access, admin all).</summary>
internal sealed class RequiresLevel(CliLevel level)
{
    public CliLevel Level { get; } = level;
}

/// <summary>
/// Admin API authentication: <c>Authorization: Bearer &lt;key&gt;</c>, the key's SHA-256 compared in constant time with
/// every configured hash (read from the current configuration, so keys change with a reload). 401 without a valid
/// key, 403 when the key's level is below the endpoint's.
/// </summary>
internal sealed partial class ApiKeyFilter(GatewayConfigManager config, ILogger<ApiKeyFilter> logger) : IEndpointFilter
{
    public const string ItemKey = "Gateway.AdminApi.Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? ApiKeys.Find(header.AsSpan(7).Trim(), config.Current.AdminApi.Keys)
            : null;
        if (key is null)
        {
            Log.Denied(logger, http.Connection.RemoteIpAddress?.ToString() ?? "-", http.Request.Path, header.Length == 0 ? "no bearer key" : "unknown key");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new ApiError("A valid admin API key is required: Authorization: Bearer <key> (see gateway hash-key)."), statusCode: StatusCodes.Status401Unauthorized);
        }

        var needed = http.GetEndpoint()?.Metadata.GetMetadata<RequiresLevel>()?.Level ?? CliLevel.Admin;
        if (key.Level < needed)
        {
            Log.Denied(logger, http.Connection.RemoteIpAddress?.ToString() ?? "-", http.Request.Path, $"key {key.Name} is {key.Level.ToString().ToLowerInvariant()}");
            return Results.Json(new ApiError($"Key '{key.Name}' has level {key.Level.ToString().ToLowerInvariant()}; this needs {needed.ToString().ToLowerInvariant()}."), statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[ItemKey] = key;
        try
        {
            return await next(invocation);
        }
        catch (StoreUnavailableException e)
        {
            Log.StoreUnavailable(logger, key.Name, http.Request.Path, e.Message);
            return Results.Json(new ApiError("The access store cannot take the change now; nothing changed. Try again later."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The audit actor of the request: <c>api:&lt;key name&gt;</c>.</summary>
    public static string Actor(HttpContext http) => "api:" + ((ApiKeyDefinition)http.Items[ItemKey]!).Name;

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AdminApiDenied, LogLevel.Warning, "Admin API call from {Client} to {Path} refused: {Reason}.")]
        public static partial void Denied(ILogger logger, string client, string path, string reason);

        [LoggerMessage(Observability.EventIds.AdminApiStoreUnavailable, LogLevel.Warning, "Admin API change by key {Key} to {Path} refused: the access store is unavailable ({Reason}).")]
        public static partial void StoreUnavailable(ILogger logger, string key, string path, string reason);
    }
}

using Gateway.Access;
using Gateway.Access.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.RuntimeApi.AdminApi;

/// <summary><c>/api/v1/sessions</c>: redeemed KATs, each bound to the address that redeemed it; revoking one ends it at once.</summary>
internal static class SessionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sessions", GetSessions).WithLevel(CliLevel.Operator).WithSummary("Live sessions, optionally only those of a ?list= and/or ?user=.");
        api.MapDelete("/sessions/{id}", RevokeAsync).WithLevel(CliLevel.Operator).WithSummary("Ends one session.");
        api.MapDelete("/sessions", RevokeManyAsync).WithLevel(CliLevel.Operator).WithSummary("Ends every session of a ?list= and/or ?user= (one of them is required).");
    }

    private static Ok<SessionView[]> GetSessions(string? list, string? user, AccessState state, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcTicks;
        return TypedResults.Ok(state.Sessions.All
            .Where(s => s.IsLiveAt(now) && (list is null || string.Equals(s.ListName, list, StringComparison.OrdinalIgnoreCase)) &&
                (user is null || string.Equals(s.User, user, StringComparison.Ordinal)))
            .OrderBy(s => s.CreatedAt)
            .Select(s => new SessionView(s.Id.ToString(), s.ListName, s.User, s.BoundIp.ToString(), s.CreatedAt, s.ExpiresAt, s.LastSeen))
            .ToArray());
    }

    private static async Task<Results<NoContent, NotFound<ApiError>>> RevokeAsync(string id, HttpContext http, AccessWriter writer)
    {
        if (!SessionId.TryParse(id, out var sessionId) || await writer.RevokeSessionsAsync(sessionId, null, null, ApiKeyFilter.Actor(http), http.RequestAborted) == 0)
        {
            return TypedResults.NotFound(new ApiError($"There is no session {id}."));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RevokedCount>, BadRequest<ApiError>>> RevokeManyAsync(string? list, string? user, HttpContext http, AccessWriter writer)
    {
        if (list is null && user is null)
        {
            return TypedResults.BadRequest(new ApiError("Name the sessions to end with ?list= and/or ?user=; there is no revoke-all."));
        }

        return TypedResults.Ok(new RevokedCount(await writer.RevokeSessionsAsync(null, user, list, ApiKeyFilter.Actor(http), http.RequestAborted)));
    }
}

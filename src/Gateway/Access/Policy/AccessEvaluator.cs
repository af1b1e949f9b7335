using Gateway.Access.Lists;
using Gateway.Access.Sessions;

namespace Gateway.Access;

/// <summary>
/// The access decision: a pure function of the request's facts (client IP, the session its cookie names) and the
/// state. No locks, no allocation, no I/O.
/// </summary>
internal static class AccessEvaluator
{
    /// <param name="policy">The route's policy.</param>
    /// <param name="list">The policy's list, or null when it is not (or no longer) in the state.</param>
    /// <param name="client">The client IP.</param>
    /// <param name="cookie">What the session cookie resolved to: a session id, a bad cookie, or nothing.</param>
    /// <param name="sessions">The session table.</param>
    /// <param name="nowTicks">UTC ticks now.</param>
    /// <param name="session">The valid session, when the decision rests on one.</param>
    public static AccessReason Evaluate(
        RoutePolicy policy, AccessList? list, IpKey client, CookieResult cookie, SessionTable sessions, long nowTicks, out Session? session)
    {
        session = null;
        if ((policy.Mode & PolicyMode.Ip) != 0 && (list is null || !list.Contains(client, nowTicks)))
        {
            return AccessReason.IpNotListed;
        }

        if ((policy.Mode & PolicyMode.Kat) == 0)
        {
            return AccessReason.Allowed;
        }

        if (cookie.Status == CookieStatus.Absent)
        {
            return AccessReason.NoSession;
        }

        if (cookie.Status == CookieStatus.Invalid)
        {
            return AccessReason.BadCookie;
        }

        if (!string.Equals(cookie.ListName, policy.ListName, StringComparison.OrdinalIgnoreCase))
        {
            return AccessReason.SessionOtherList;
        }

        if (!sessions.TryGet(cookie.SessionId, out var found))
        {
            return AccessReason.SessionUnknown;
        }

        if (!string.Equals(found.ListName, policy.ListName, StringComparison.OrdinalIgnoreCase))
        {
            return AccessReason.SessionOtherList;
        }

        if (found.BoundIp != client)
        {
            return AccessReason.SessionOtherIp;
        }

        if (!found.IsLiveAt(nowTicks))
        {
            return AccessReason.SessionExpired;
        }

        found.Touch(nowTicks);
        session = found;
        return AccessReason.Allowed;
    }
}

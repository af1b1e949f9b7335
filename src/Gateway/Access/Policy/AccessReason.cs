namespace Gateway.Access;

/// <summary>Why a request was let through or refused. The names are what logs and headers say.</summary>
internal enum AccessReason
{
    Allowed,
    NoPolicy,
    IpNotListed,
    NoSession,
    BadCookie,
    SessionUnknown,
    SessionOtherList,
    SessionOtherIp,
    SessionExpired,
    TokenUnknown,
    TokenExpired,
    TokenOtherIp,
    TokenOtherList,
    StateUnavailable,
}

internal static class AccessReasons
{
    private static readonly string[] Names =
    [
        "allowed", "no-policy", "ip-not-listed", "no-session", "bad-cookie", "session-unknown", "session-other-list",
        "session-other-ip", "session-expired", "kat-unknown", "kat-expired", "kat-other-ip", "kat-other-list", "state-unavailable",
    ];

    public static string Name(this AccessReason reason) => Names[(int)reason];

    /// <summary>The check that failed, as <c>X-Gateway-Reject</c> tells HAProxy: <c>ip</c> or <c>kat</c>.</summary>
    public static string Check(this AccessReason reason) => reason switch
    {
        AccessReason.Allowed or AccessReason.NoPolicy => "none",
        AccessReason.IpNotListed => "ip",
        AccessReason.StateUnavailable => "state",
        _ => "kat",
    };
}

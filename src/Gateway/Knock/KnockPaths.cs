namespace Gateway.Knock;

/// <summary>The gateway's own paths. Everything under <c>/.gateway/</c> is reserved: routes may not use it.</summary>
internal static class KnockPaths
{
    public const string Reserved = "/.gateway";

    public const string Login = "/.gateway/login";

    public const string Logout = "/.gateway/logout";

    /// <summary>The OpenID provider sends the browser back here (register it as the redirect URI).</summary>
    public const string Callback = "/.gateway/oidc/callback";

    public const string ForwardAuth = "/.gateway/auth";

    public const string DefaultPortal = "/.gateway/portal";

    /// <summary>Paths the portal may not take.</summary>
    public static readonly string[] Taken = [Login, Logout, "/.gateway/oidc", ForwardAuth, Access.KatRedemption.EndpointPath];

    public static bool IsReserved(string path) =>
        path.Equals(Reserved, StringComparison.OrdinalIgnoreCase) || path.StartsWith(Reserved + "/", StringComparison.OrdinalIgnoreCase);
}

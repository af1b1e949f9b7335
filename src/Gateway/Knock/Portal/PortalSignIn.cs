using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Access;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Knock;

/// <summary>
/// The portal's sign-in cookie: the user, e-mail, groups and expiry, sealed with Data Protection (authenticated
/// encryption, the gateway's key ring). <c>HttpOnly</c>, <c>SameSite=Lax</c> (a form posted from another site does
/// not carry it), <c>__Host-</c> prefixed and <c>Secure</c> on https.
/// </summary>
internal sealed class PortalSignIn(IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Gateway.Knock.Portal.v1");

    public static string CookieName(bool https) => https ? "__Host-gw_portal" : "gw_portal";

    public static bool IsHttps(HttpContext context) =>
        AccessMiddleware.IsHttps(context, context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress));

    /// <summary>
    /// Behind a trusted proxy that terminated TLS the request says http; the portal's redirect URI and cookies
    /// (antiforgery included) must say https.
    /// </summary>
    public static void UseForwardedScheme(HttpContext context)
    {
        if (!context.Request.IsHttps && IsHttps(context))
        {
            context.Request.Scheme = Uri.UriSchemeHttps;
        }
    }

    public void SignIn(HttpContext context, PortalUser user, TimeSpan lifetime)
    {
        var expires = time.GetUtcNow() + lifetime;
        var ticket = new Ticket(user.Name, user.Email, [.. user.Groups], expires.ToUnixTimeSeconds());
        var sealedTicket = Base64Url.EncodeToString(_protector.Protect(JsonSerializer.SerializeToUtf8Bytes(ticket)));
        var https = IsHttps(context);
        context.Response.Cookies.Append(CookieName(https), sealedTicket, new CookieOptions
        {
            Path = "/",
            HttpOnly = true,
            Secure = https,
            SameSite = SameSiteMode.Lax,
            Expires = expires,
        });
    }

    /// <summary>The signed-in user, or null when there is no valid, unexpired cookie.</summary>
    public PortalUser? Read(HttpContext context)
    {
        var value = context.Request.Cookies[CookieName(IsHttps(context))];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var ticket = JsonSerializer.Deserialize<Ticket>(_protector.Unprotect(Base64Url.DecodeFromChars(value)));
            if (ticket is null || string.IsNullOrEmpty(ticket.N) || DateTimeOffset.FromUnixTimeSeconds(ticket.X) <= time.GetUtcNow())
            {
                return null;
            }

            return new PortalUser(ticket.N, ticket.E, [.. ticket.G ?? []]);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    public static void SignOut(HttpContext context)
    {
        var https = IsHttps(context);
        context.Response.Cookies.Delete(CookieName(https), new CookieOptions { Path = "/", Secure = https, HttpOnly = true, SameSite = SameSiteMode.Lax });
    }

    private sealed record Ticket(string N, string? E, string[]? G, long X);
}

using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;

namespace Gateway.Knock;

/// <summary>
/// ASP.NET Core antiforgery for the portal's forms: a token in a cookie and the same token, bound to the signed-in
/// user, in each form. Its services live in a container of their own (sharing the gateway's key ring and logging):
/// registered in the application's, WebApplication would put the antiforgery middleware in front of every request,
/// proxied traffic included.
/// </summary>
internal sealed class PortalAntiforgery : IDisposable
{
    public const string FieldName = "__RequestVerificationToken";

    private readonly ServiceProvider _services;
    private readonly IAntiforgery _antiforgery;

    public PortalAntiforgery(IDataProtectionProvider protection, ILoggerFactory loggers)
    {
        var services = new ServiceCollection();
        services.AddSingleton(protection);
        services.AddSingleton(loggers);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddAntiforgery(options =>
        {
            options.FormFieldName = FieldName;
            options.HeaderName = null;
            options.Cookie.Name = "gw_csrf";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        _services = services.BuildServiceProvider();
        _antiforgery = _services.GetRequiredService<IAntiforgery>();
    }

    /// <summary>The form token for <paramref name="user"/> (the cookie half is set on the response).</summary>
    public string Issue(HttpContext context, PortalUser user)
    {
        context.User = Principal(user);
        return _antiforgery.GetAndStoreTokens(context).RequestToken!;
    }

    /// <summary>True when the posted form carries a token matching the cookie and <paramref name="user"/>.</summary>
    public Task<bool> IsValidAsync(HttpContext context, PortalUser user)
    {
        context.User = Principal(user);
        return _antiforgery.IsRequestValidAsync(context);
    }

    public void Dispose() => _services.Dispose();

    private static ClaimsPrincipal Principal(PortalUser user) =>
        new(new ClaimsIdentity([new Claim("sub", user.Name), new Claim(ClaimTypes.Name, user.Name)], "gateway-portal"));
}

using System.Collections.Frozen;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tls.Acme;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tls;

/// <summary>
/// On plain-HTTP public listeners, redirects requests whose route sets <c>RedirectToHttps</c> to the same URL on the
/// https listener (301 for GET and HEAD, 308 otherwise so a POST stays a POST). ACME challenge paths are never
/// redirected. Runs after endpoint selection, before the access policy.
/// </summary>
internal sealed class HttpsRedirectMiddleware(RequestDelegate next, GatewayConfigManager config, ListenerRegistry registry)
{
    private volatile RedirectIndex? _index;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || context.Features.Get<ListenerFeature>()?.Listener.Kind != ListenerKind.Public ||
            context.Request.Path.StartsWithSegments(AcmeChallengeMiddleware.PathPrefix, StringComparison.Ordinal))
        {
            return next(context);
        }

        var routeId = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId;
        if (routeId is null || !Index().Listeners.TryGetValue(routeId, out var httpsListener) || !context.Request.Host.HasValue)
        {
            return next(context);
        }

        var port = registry.EndPointOf(httpsListener).Port;
        var request = context.Request;
        var authority = request.Host.Host.Contains(':', StringComparison.Ordinal) ? $"[{request.Host.Host}]" : request.Host.Host;
        var location = $"https://{authority}{(port == 443 ? string.Empty : ":" + port)}{request.PathBase}{request.Path}{request.QueryString}";
        context.Response.StatusCode = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? StatusCodes.Status301MovedPermanently
            : StatusCodes.Status308PermanentRedirect;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    private RedirectIndex Index()
    {
        var current = config.Current;
        var index = _index;
        if (index is null || !ReferenceEquals(index.Config, current))
        {
            _index = index = RedirectIndex.Build(current);
        }

        return index;
    }

    /// <summary>Route id → the https listener its redirects point at, for one configuration revision.</summary>
    private sealed record RedirectIndex(GatewayConfig Config, FrozenDictionary<string, string> Listeners)
    {
        public static RedirectIndex Build(GatewayConfig config)
        {
            var https = config.Listeners.Where(l => l.Protocol == "https").Select(l => l.Name).ToList();
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var route in config.Routes.Where(r => r.RedirectToHttps))
            {
                var target = route.Listeners.IsEmpty ? https.FirstOrDefault() : route.Listeners.FirstOrDefault(https.Contains) ?? https.FirstOrDefault();
                if (target is not null)
                {
                    result[route.Id] = target;
                }
            }

            return new RedirectIndex(config, result.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        }
    }
}

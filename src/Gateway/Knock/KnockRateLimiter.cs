using System.Threading.RateLimiting;
using Gateway.Access;
using Gateway.Access.Lists;
using Gateway.Configuration;
using Microsoft.AspNetCore.RateLimiting;

namespace Gateway.Knock;

/// <summary>Endpoint metadata: which rate limit an endpoint counts against.</summary>
internal sealed class RateLimitMetadata(RateLimitKind kind)
{
    public RateLimitKind Kind { get; } = kind;
}

/// <summary>
/// Rate limits per client IP on login, the portal's forms, KAT redemption and forward-auth, with ASP.NET Core's rate
/// limiting middleware (fixed windows from <c>Gateway:Knock:RateLimits</c>). The middleware runs only for those
/// requests, so proxied traffic pays nothing. A refusal is 429 with <c>Retry-After</c>, except for forward-auth,
/// where it is 403: nginx turns any status but 2xx, 401 and 403 into a 500.
/// </summary>
internal sealed partial class KnockRateLimiter : IDisposable
{
    private readonly GatewayConfigManager _config;
    private readonly ILogger<KnockRateLimiter> _logger;
    private readonly PartitionedRateLimiter<HttpContext> _limiter;

    public KnockRateLimiter(GatewayConfigManager config, ILogger<KnockRateLimiter> logger)
    {
        _config = config;
        _logger = logger;
        _limiter = PartitionedRateLimiter.Create<HttpContext, Partition>(Partitioned);
        Options = new RateLimiterOptions { GlobalLimiter = _limiter, RejectionStatusCode = StatusCodes.Status429TooManyRequests, OnRejected = OnRejectedAsync };
    }

    /// <summary>The middleware's options: passed to it directly, apart from any application-wide rate limiter options.</summary>
    public RateLimiterOptions Options { get; }

    /// <summary>Which limit a request counts against; <see cref="RateLimitKind.None"/> for everything else (all proxied traffic but KATs).</summary>
    public RateLimitKind Classify(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RateLimitMetadata>() is { } metadata)
        {
            return metadata.Kind;
        }

        var request = context.Request;
        if (request.Path.Equals(KatRedemption.EndpointPath, StringComparison.OrdinalIgnoreCase) ||
            (request.QueryString.HasValue && KatRedemption.CarriesToken(request, _config.Current.Access.TokenQueryParameter)))
        {
            return RateLimitKind.Redemption;
        }

        return RateLimitKind.None;
    }

    public bool Applies(HttpContext context) => Classify(context) != RateLimitKind.None;

    public void Dispose() => _limiter.Dispose();

    private RateLimitPartition<Partition> Partitioned(HttpContext context)
    {
        var kind = Classify(context);
        var limit = _config.Current.Knock.RateLimits.For(kind);
        var client = (context.Features.Get<ClientAddressFeature>() ?? ClientAddressFeature.Direct(context.Connection.RemoteIpAddress)).ClientKey;
        var key = new Partition(kind, client, limit);
        if (kind == RateLimitKind.None || limit.Limit == 0)
        {
            return RateLimitPartition.GetNoLimiter(key);
        }

        return RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
        {
            PermitLimit = k.Limit.Limit,
            Window = k.Limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var kind = Classify(context);
        var client = context.Features.Get<ClientAddressFeature>()?.ClientText ?? "-";
        Log.Limited(_logger, kind.ToString(), client, context.Request.Path.Value ?? "/");
        context.Response.Headers.CacheControl = "no-store";
        if (kind == RateLimitKind.ForwardAuth)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["X-Gateway-Reject-Reason"] = "rate-limited";
            return;
        }

        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("Too many requests from your address; wait a little and try again.\n", cancellationToken);
    }

    private readonly record struct Partition(RateLimitKind Kind, IpKey Client, RateLimit Limit);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RateLimited, LogLevel.Warning, "Rate limit ({Kind}) reached by client {Client} on {Path}.")]
        public static partial void Limited(ILogger logger, string kind, string client, string path);
    }
}

namespace Gateway.Knock;

/// <summary>
/// The HTTP client the gateway talks to the OpenID provider with (discovery, keys, token endpoint). Its handler is a
/// keyed service so tests can put their own in front. Nothing here logs: requests carry codes and secrets.
/// </summary>
internal sealed class OidcBackchannel([FromKeyedServices(OidcBackchannel.HandlerKey)] HttpMessageHandler handler) : IDisposable
{
    public const string HandlerKey = "Gateway.Knock.Oidc";

    public HttpClient Client { get; } = new(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(15) };

    public static HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    public void Dispose() => Client.Dispose();
}

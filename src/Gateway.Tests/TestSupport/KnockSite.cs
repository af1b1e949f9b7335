using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A gateway with login at a real provider and a portal on <c>access.test</c>, protecting two applications on one
/// backend: Confluence (<c>confluence.test</c>, ip+kat, group engineering, list TTL 8h capped to 4h by the portal) and
/// Grafana (<c>grafana.test</c>, ip only, group ops). The gateway listens on localhost (IPv4 and IPv6).
/// </summary>
public sealed class KnockSite : IAsyncDisposable
{
    /// <summary>The people of the provider, with their groups.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> People = new Dictionary<string, string[]>
    {
        ["alice"] = ["engineering"],
        ["bob"] = ["engineering", "ops"],
        ["olga"] = ["ops"],
        ["mallory"] = [],
    };

    private KnockSite(TestGateway gateway, int port, string clientId)
    {
        Gateway = gateway;
        Port = port;
        ClientId = clientId;
    }

    public TestGateway Gateway { get; private set; }

    public int Port { get; }

    public string ClientId { get; }

    public Uri Portal => new($"http://access.test:{Port}/");

    public Uri Login => new($"http://access.test:{Port}/.gateway/login");

    public Uri Confluence => new($"http://confluence.test:{Port}/");

    public Uri Grafana => new($"http://grafana.test:{Port}/");

    public static JsonObject Config(int port, OidcProvider provider, string clientId, string secret, Uri backend) => new()
    {
        ["Listeners"] = new JsonObject { ["http"] = new JsonObject { ["Address"] = "localhost", ["Port"] = port } },
        ["Access"] = new JsonObject
        {
            ["Lists"] = new JsonObject
            {
                ["confluence"] = new JsonObject { ["Id"] = 500, ["TokenMapId"] = 501, ["DefaultTtl"] = "8h", ["Groups"] = new JsonArray("engineering") },
                ["grafana"] = new JsonObject { ["Id"] = 600, ["Groups"] = new JsonArray("ops") },
            },
        },
        ["Routes"] = new JsonObject
        {
            ["confluence"] = new JsonObject
            {
                ["Hosts"] = new JsonArray("confluence.test"),
                ["Cluster"] = "app",
                ["Access"] = new JsonObject { ["Policy"] = "ip+kat", ["List"] = "confluence" },
            },
            ["grafana"] = new JsonObject
            {
                ["Hosts"] = new JsonArray("grafana.test"),
                ["Cluster"] = "app",
                ["Access"] = new JsonObject { ["Policy"] = "ip", ["List"] = "grafana" },
            },
        },
        ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend) },
        ["Knock"] = new JsonObject
        {
            ["Oidc"] = new JsonObject
            {
                ["Authority"] = provider.Issuer.ToString(),
                ["ClientId"] = clientId,
                ["ClientSecret"] = secret,
                ["RequireHttpsMetadata"] = false,
                ["Scopes"] = new JsonArray("openid", "profile", "email", "groups"),
            },
            ["Portal"] = new JsonObject { ["Host"] = $"access.test:{port}", ["MaxTtl"] = "4h" },
            ["Applications"] = new JsonObject
            {
                ["confluence"] = new JsonObject { ["Url"] = $"http://confluence.test:{port}/", ["Title"] = "Confluence" },
                ["grafana"] = new JsonObject { ["Url"] = $"http://grafana.test:{port}/", ["Title"] = "Grafana" },
            },
        },
    };

    /// <summary>
    /// Registers a client for a new gateway at the provider and starts the gateway; <paramref name="configure"/> may
    /// change the config first, <paramref name="builder"/> the host (a clock, a backchannel handler).
    /// </summary>
    public static async Task<KnockSite> StartAsync(
        OidcProvider provider, TestBackend backend, Action<JsonObject>? configure = null, Action<WebApplicationBuilder>? builder = null,
        string idTokenAlgorithm = "RS256")
    {
        var port = FreePort.Get();
        var (clientId, secret) = await provider.RegisterClientAsync(
            new[] { "access", "confluence" }.Select(host => new Uri($"http://{host}.test:{port}/.gateway/oidc/callback")), idTokenAlgorithm);
        var config = Config(port, provider, clientId, secret, backend.Url);
        configure?.Invoke(config);
        var gateway = await TestGateway.StartAsync(config, builder ?? (_ => { }));
        return new KnockSite(gateway, port, clientId);
    }

    public KnockUser User(string name, IPAddress? from = null, IPAddress? to = null, CookieContainer? cookies = null) => new(name, Port, from, to, cookies);

    /// <summary>A user signed in at the portal (asserted).</summary>
    public async Task<KnockUser> SignedInAsync(string name, IPAddress? from = null, IPAddress? to = null)
    {
        var user = User(name, from, to);
        var response = await user.LoginAsync(Login);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"login of {name}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return user;
    }

    /// <summary>Stops the gateway and starts it again on the same folder, port and state.</summary>
    public async Task RestartAsync() => Gateway = await Gateway.RestartAsync();

    public ValueTask DisposeAsync() => Gateway.DisposeAsync();
}

using System.Text;
using System.Text.Json.Nodes;
using Gateway.Configuration;
using Gateway.Knock;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Knock;

/// <summary><c>Gateway:Knock</c> compiled: what a good section gives, and each mistake named by its key with the fix.</summary>
public sealed class KnockConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-knock-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Two lists, a protected route each (one ip+kat, one ip), a login and a portal with both applications.</summary>
    private static JsonObject Good() => JsonNode.Parse("""
        {
          "Listeners": { "http": { "Address": "127.0.0.1", "Port": 18080 } },
          "Management": { "Port": 19090 },
          "Access": {
            "Lists": {
              "confluence": { "Id": 500, "TokenMapId": 501, "DefaultTtl": "8h", "Groups": [ "engineering" ] },
              "grafana": { "Id": 600, "Groups": [ "*" ] }
            }
          },
          "Routes": {
            "confluence": { "Hosts": [ "confluence.example.com" ], "Cluster": "web", "Access": { "Policy": "ip+kat", "List": "confluence" } },
            "grafana": { "Hosts": [ "grafana.example.com" ], "Cluster": "web", "Access": { "Policy": "ip", "List": "grafana" } }
          },
          "Clusters": { "web": { "Destinations": { "s1": { "Address": "http://127.0.0.1:9" } } } },
          "Knock": {
            "Oidc": { "Authority": "https://login.example.com/realms/main", "ClientId": "gateway", "ClientSecret": "s3cret" },
            "Applications": {
              "confluence": { "Url": "https://confluence.example.com/", "Title": "Confluence" },
              "grafana": { "Url": "https://grafana.example.com/" }
            }
          }
        }
        """)!.AsObject();

    private (GatewayConfig? Config, IReadOnlyList<ConfigError> Errors) Compile(JsonObject gateway)
    {
        var json = Encoding.UTF8.GetBytes(TestGateway.Serialize(gateway));
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(json)).Build();
        return GatewayConfigCompiler.Compile(configuration, [], _directory, revision: 1);
    }

    private string Error(JsonObject gateway)
    {
        var (config, errors) = Compile(gateway);
        Assert.Null(config);
        return string.Join("\n", errors);
    }

    [Fact]
    public void Compile_GoodSection_GivesLoginPortalAndApplications()
    {
        var (config, errors) = Compile(Good());

        Assert.True(config is not null, string.Join("\n", errors));
        var knock = config.Knock;
        Assert.Equal(["openid", "profile", "email"], knock.Oidc!.Scopes.ToArray());
        Assert.Equal(("preferred_username", "email", "groups"), (knock.Oidc.UserClaim, knock.Oidc.EmailClaim, knock.Oidc.GroupsClaim));
        Assert.Equal(new Uri("https://login.example.com/realms/main/.well-known/openid-configuration"), knock.Oidc.DiscoveryUrl);
        Assert.Equal(new PortalSettings(null, "/.gateway/portal", TimeSpan.FromHours(12), TimeSpan.FromHours(1), "Application access"), knock.Portal);
        Assert.Equal(["confluence", "grafana"], knock.Applications.Select(a => a.Name));
        Assert.True(knock.Applications[0].IssuesKat);
        Assert.False(knock.Applications[1].IssuesKat);
        Assert.Equal(["engineering"], knock.Applications[0].Groups.ToArray());
        Assert.Equal("grafana", knock.Applications[1].Title);
        Assert.False(knock.ForwardAuth);

        // The reject page links to the portal (a path: it is served on every host).
        Assert.Equal("/.gateway/portal", config.Access.PortalUrl!.ToString());
    }

    [Fact]
    public void Compile_PortalOnItsOwnHost_LinksTheRejectPageThere()
    {
        var gateway = Good();
        gateway["Knock"]!["Portal"] = new JsonObject { ["Host"] = "Access.Example.com" };

        var (config, errors) = Compile(gateway);

        Assert.True(config is not null, string.Join("\n", errors));
        Assert.Equal(("access.example.com", "/"), (config.Knock.Portal!.Host, config.Knock.Portal.Path));
        Assert.Equal("http://access.example.com/", config.Access.PortalUrl!.ToString());
    }

    [Fact]
    public void Compile_SecretFromFile_IsReadAndTrimmed()
    {
        var file = Path.Combine(_directory, "secret");
        File.WriteAllText(file, "from-file\n");
        var gateway = Good();
        var oidc = gateway["Knock"]!["Oidc"]!.AsObject();
        oidc.Remove("ClientSecret");
        oidc["ClientSecretFile"] = "secret";

        var (config, errors) = Compile(gateway);

        Assert.True(config is not null, string.Join("\n", errors));
        Assert.Equal("from-file", config.Knock.Oidc!.ClientSecret);
    }

    [Fact]
    public void Compile_NoKnockSection_LeavesEverythingOff()
    {
        var gateway = Good();
        gateway.Remove("Knock");

        var (config, _) = Compile(gateway);

        Assert.Null(config!.Knock.Oidc);
        Assert.Null(config.Knock.Portal);
        Assert.Empty(config.Knock.Applications);
        Assert.False(config.Knock.ForwardAuth);
        Assert.Equal(RateLimitSettings.Default, config.Knock.RateLimits);
        Assert.Null(config.Access.PortalUrl);
    }

    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "no authority", """{"Oidc":{"Authority":null}}""", "Gateway:Knock:Oidc:Authority: is required" },
        { "http authority", """{"Oidc":{"Authority":"http://login.example.com"}}""", "Gateway:Knock:Oidc:Authority: 'http://login.example.com' is not https; use the provider's https URL (or set Gateway:Knock:Oidc:RequireHttpsMetadata to false" },
        { "authority not a URL", """{"Oidc":{"Authority":"login.example.com"}}""", "Gateway:Knock:Oidc:Authority: 'login.example.com' is not an issuer URL" },
        { "no client id", """{"Oidc":{"ClientId":null}}""", "Gateway:Knock:Oidc:ClientId: is required" },
        { "no secret", """{"Oidc":{"ClientSecret":null}}""", "Gateway:Knock:Oidc:ClientSecret: is required: set ClientSecretFile to a file holding it, or the environment variable Gateway__Knock__Oidc__ClientSecret." },
        { "two secrets", """{"Oidc":{"ClientSecretFile":"/run/secret"}}""", "Gateway:Knock:Oidc:ClientSecretFile: is set together with ClientSecret; keep one of them." },
        { "bad scope", """{"Oidc":{"Scopes":["openid","profile email"]}}""", "Gateway:Knock:Oidc:Scopes:1: 'profile email' is not a scope" },
        { "bad claim", """{"Oidc":{"GroupsClaim":"realm access"}}""", "Gateway:Knock:Oidc:GroupsClaim: 'realm access' is not a claim name" },
        { "huge skew", """{"Oidc":{"ClockSkew":"1h"}}""", "Gateway:Knock:Oidc:ClockSkew: '1h' is too long" },
        { "portal path outside", """{"Portal":{"Path":"/portal"}}""", "Gateway:Knock:Portal:Path: '/portal' is outside /.gateway/, so it would hide that path of every application" },
        { "portal path taken", """{"Portal":{"Path":"/.gateway/auth"}}""", "Gateway:Knock:Portal:Path: '/.gateway/auth' is taken by the gateway's own endpoints" },
        { "portal path trailing slash", """{"Portal":{"Path":"/.gateway/portal/"}}""", "Gateway:Knock:Portal:Path: '/.gateway/portal/' is not a path" },
        { "portal host of a route", """{"Portal":{"Host":"grafana.example.com"}}""", "Gateway:Knock:Portal:Host: 'grafana.example.com' is also a host of Routes:grafana; give the portal a host of its own" },
        { "portal wildcard host", """{"Portal":{"Host":"*.example.com"}}""", "Gateway:Knock:Portal:Host: '*.example.com' is a wildcard" },
        { "bad max ttl", """{"Portal":{"MaxTtl":"forever"}}""", "Gateway:Knock:Portal:MaxTtl: 'forever' is not a duration" },
        { "application without url", """{"Applications":{"grafana":{"Url":null}}}""", "Gateway:Knock:Applications:grafana:Url: is required: the application's absolute http(s) URL" },
        { "application unknown list", """{"Applications":{"jira":{"Url":"https://jira.example.com/"}}}""", "Gateway:Knock:Applications:jira:List: 'jira' is not an access list" },
        { "application on another host", """{"Applications":{"confluence":{"Url":"https://wiki.example.com/"}}}""", "Gateway:Knock:Applications:confluence:Url: 'https://wiki.example.com/' is not on a host of a route protected by list 'confluence'" },
        { "forward-auth without trusted proxies", """{"ForwardAuth":{"Enabled":true}}""", "Gateway:Knock:ForwardAuth:Enabled: forward-auth answers only trusted proxies; list your proxy's address under Gateway:Access:TrustedProxies." },
        { "negative rate limit", """{"RateLimits":{"Login":{"Limit":-1}}}""", "Gateway:Knock:RateLimits:Login:Limit: -1 is negative" },
        { "bad rate window", """{"RateLimits":{"Allow":{"Window":"0s"}}}""", "Gateway:Knock:RateLimits:Allow:Window: '0s' is too short" },
        { "typo", """{"Portl":{}}""", "Gateway:Knock:Portl: is not a known setting; did you mean 'Portal'?" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Compile_Mistake_IsNamedByItsKeyWithTheFix(string what, string knock, string expected)
    {
        var gateway = Good();
        Merge(gateway["Knock"]!.AsObject(), JsonNode.Parse(knock)!.AsObject());

        Assert.True(Error(gateway).Contains(expected, StringComparison.Ordinal), $"{what}: {Error(gateway)}");
    }

    [Fact]
    public void Compile_ListWithoutGroupsInThePortal_IsAnError()
    {
        var gateway = Good();
        gateway["Access"]!["Lists"]!["grafana"]!.AsObject().Remove("Groups");

        Assert.Contains("Gateway:Knock:Applications:grafana:List: list 'grafana' has no Groups, so nobody may allow themselves on it", Error(gateway), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_PortalWithoutLogin_IsAnError()
    {
        var gateway = Good();
        gateway["Knock"]!.AsObject().Remove("Oidc");

        Assert.Contains("Gateway:Knock:Portal: needs Gateway:Knock:Oidc", Error(gateway), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PathPrefix", "/.gateway")]
    [InlineData("PathPrefix", "/.gateway/portal")]
    [InlineData("Path", "/.GATEWAY/{**rest}")]
    public void Compile_RouteUnderReservedPath_IsAnError(string key, string path)
    {
        var gateway = Good();
        gateway["Routes"]!["grafana"]![key] = path;

        Assert.Contains($"Gateway:Routes:grafana:{key}: '{path}' is under /.gateway/, which is reserved", Error(gateway), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_GroupThatIsBlank_IsAnError()
    {
        var gateway = Good();
        gateway["Access"]!["Lists"]!["grafana"]!["Groups"] = new JsonArray("ops", " ");

        Assert.Contains("Gateway:Access:Lists:grafana:Groups:1: '' is not a group name", Error(gateway), StringComparison.Ordinal);
    }

    private static void Merge(JsonObject target, JsonObject changes)
    {
        foreach (var (key, value) in changes.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}

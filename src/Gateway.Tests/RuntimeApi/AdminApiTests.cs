using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.RuntimeApi.AdminApi;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// The JSON admin API on the management listener: bearer keys (hashed in config, by level), lists and entries, KATs
/// with their redemption URL, sessions, routes, clusters and destination states; the same validation and audit as the
/// socket; never on a public listener.
/// </summary>
public sealed class AdminApiTests(BackendsFixture backends) : IClassFixture<BackendsFixture>, IAsyncLifetime
{
    private readonly string _adminKey = ApiKeys.NewKey();
    private readonly string _operatorKey = ApiKeys.NewKey();
    private readonly string _readerKey = ApiKeys.NewKey();
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        var config = RuntimeApiSockets.Config(backend: backends.A.Url);
        config["Routes"]!["app"]!["Access"] = new JsonObject { ["Policy"] = "ip+kat", ["List"] = "knoc" };
        config["Routes"]!["open"] = new JsonObject { ["Hosts"] = new JsonArray("open.test"), ["Cluster"] = "app" };
        config["AdminApi"] = new JsonObject
        {
            ["Keys"] = new JsonObject
            {
                ["ops"] = new JsonObject { ["Hash"] = ApiKeys.HashOf(_adminKey) },
                ["agent"] = new JsonObject { ["Hash"] = ApiKeys.HashOf(_operatorKey), ["Level"] = "operator" },
                ["dashboard"] = new JsonObject { ["Hash"] = ApiKeys.HashOf(_readerKey), ["Level"] = "user" },
            },
        };
        _gateway = await TestGateway.StartAsync(config);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-key")]
    [InlineData("Basic b3BzOnNlY3JldA==")]
    public async Task Call_WithoutAValidKey_Is401WithBearerChallenge(string? authorization)
    {
        using var client = _gateway.CreateClient("management");
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("admin API key is required", (await response.Content.ReadFromJsonAsync<ApiError>())!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReaderKey_CanReadButNotChange()
    {
        using var reader = Client(_readerKey);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/lists")).StatusCode);
        var refused = await reader.PostAsJsonAsync("/api/v1/lists/knoc/entries", new { pattern = "192.0.2.1" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs operator", (await refused.Content.ReadFromJsonAsync<ApiError>())!.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await Client(_operatorKey).PutAsJsonAsync("/api/v1/clusters/app/destinations/d0/state", new { state = "maint" })).StatusCode);
    }

    [Fact]
    public async Task Entries_AddListRemove_SameAsTheSocketSees()
    {
        using var agent = Client(_operatorKey);

        var added = await agent.PostAsJsonAsync("/api/v1/lists/knoc/entries", new { pattern = "127.0.0.1", ttl = "5m" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var entry = (await added.Content.ReadFromJsonAsync<EntryView>())!;
        Assert.Equal("127.0.0.1", entry.Pattern);
        Assert.True(entry.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(4));
        Assert.Equal($"{entry.Id} 127.0.0.1\n\n", await CliClient.SendAsync(_gateway.Unix(), "show acl #500\n"));

        var list = (await agent.GetFromJsonAsync<ListDetail>("/api/v1/lists/knoc"))!;
        Assert.Equal([entry.Id], list.Entries.Select(e => e.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await agent.DeleteAsync($"/api/v1/lists/knoc/entries/{entry.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.DeleteAsync($"/api/v1/lists/knoc/entries/{entry.Id}")).StatusCode);
        Assert.Equal("\n", await CliClient.SendAsync(_gateway.Unix(), "show acl #500\n"));
        Assert.True(_gateway.Logs.Contains("Audit: api:agent add 127.0.0.1 to list knoc until "), "the change is audited with the key's name");
    }

    [Fact]
    public async Task Entries_RemoveByPattern_RemovesEveryIdenticalEntry()
    {
        using var agent = Client(_operatorKey);
        await CliClient.SendAsync(_gateway.Unix(), "add acl #500 192.0.2.9;add acl #500 192.0.2.9\n");

        var response = await agent.DeleteAsync("/api/v1/lists/knoc/entries?pattern=192.0.2.9");

        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<RemovedCount>())!.Removed);
    }

    [Theory]
    [InlineData("knoc", """{"pattern":"300.1.1.1"}""", HttpStatusCode.BadRequest, "'300.1.1.1' is not a valid IPv4 or IPv6 address")]
    [InlineData("knoc", """{"pattern":"192.0.2.1","ttl":"soon"}""", HttpStatusCode.BadRequest, "'soon' is not a duration")]
    [InlineData("nope", """{"pattern":"192.0.2.1"}""", HttpStatusCode.NotFound, "There is no access list named 'nope'.")]
    public async Task Entries_BadInput_ClearErrorAndNothingChanges(string list, string body, HttpStatusCode status, string error)
    {
        using var agent = Client(_operatorKey);

        var response = await agent.PostAsync($"/api/v1/lists/{list}/entries", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(error, (await response.Content.ReadFromJsonAsync<ApiError>())!.Error, StringComparison.Ordinal);
        Assert.Equal("\n", await CliClient.SendAsync(_gateway.Unix(), "show acl #500\n"));
    }

    [Fact]
    public async Task Token_IssuedWithRedemptionUrl_RedeemsOnce_SessionListedAndRevoked()
    {
        using var agent = Client(_operatorKey);
        await agent.PostAsJsonAsync("/api/v1/lists/knoc/entries", new { pattern = "127.0.0.1" });

        var issued = (await (await agent.PostAsJsonAsync("/api/v1/lists/knoc/tokens", new { user = "alice", ttl = "2m" })).Content.ReadFromJsonAsync<IssuedToken>())!;
        Assert.StartsWith($"http://app.test:{_gateway.Port()}/?kat=", issued.RedemptionUrl, StringComparison.Ordinal);
        var tokens = (await agent.GetFromJsonAsync<TokenView[]>("/api/v1/lists/knoc/tokens"))!;
        Assert.Equal("alice", Assert.Single(tokens).User);
        Assert.DoesNotContain(issued.Token, await agent.GetStringAsync("/api/v1/lists/knoc/tokens"), StringComparison.Ordinal);

        var redeemed = await _gateway.GetAsync("app.test", new Uri(issued.RedemptionUrl!).PathAndQuery);
        Assert.Equal(HttpStatusCode.Found, redeemed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _gateway.GetAsync("app.test", new Uri(issued.RedemptionUrl!).PathAndQuery)).StatusCode);
        var cookie = redeemed.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        var session = Assert.Single((await agent.GetFromJsonAsync<SessionView[]>("/api/v1/sessions?user=alice"))!);
        Assert.Equal(("knoc", "127.0.0.1"), (session.List, session.BoundIp));
        Assert.Equal(HttpStatusCode.OK, (await WithCookieAsync(cookie)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await agent.DeleteAsync($"/api/v1/sessions/{session.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await WithCookieAsync(cookie)).StatusCode);
        Assert.Empty((await agent.GetFromJsonAsync<SessionView[]>("/api/v1/sessions"))!);
    }

    [Fact]
    public async Task Token_ForAnotherAddress_AndBadInput_Refused()
    {
        using var agent = Client(_operatorKey);

        var bound = (await (await agent.PostAsJsonAsync("/api/v1/lists/knoc/tokens", new { ip = "192.0.2.50", url = "http://app.test/welcome" })).Content.ReadFromJsonAsync<IssuedToken>())!;
        Assert.StartsWith("http://app.test/welcome?kat=", bound.RedemptionUrl, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsJsonAsync("/api/v1/lists/knoc/tokens", new { url = "https://evil.example/" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsJsonAsync("/api/v1/lists/knoc/tokens", new { user = "a,b" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.DeleteAsync("/api/v1/sessions")).StatusCode);
    }

    [Fact]
    public async Task RoutesAndClusters_ListedWithPolicyAndDestinationState()
    {
        using var ops = Client(_adminKey);

        var routes = (await ops.GetFromJsonAsync<RouteView[]>("/api/v1/routes"))!;
        Assert.Equal(("ip+kat", "knoc"), routes.Single(r => r.Id == "app") is var app ? (app.Policy, app.List) : default);
        Assert.Equal("none", routes.Single(r => r.Id == "open").Policy);

        Assert.Equal(HttpStatusCode.NoContent, (await ops.PutAsJsonAsync("/api/v1/clusters/app/destinations/d0/state", new { state = "maint" })).StatusCode);
        var destination = (await ops.GetFromJsonAsync<ClusterView[]>("/api/v1/clusters"))!.Single().Destinations.Single();
        Assert.Equal(("maint", false), (destination.State, destination.Available));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _gateway.GetAsync("open.test")).StatusCode);
        Assert.Contains(" 0 1 1 1 ", await CliClient.SendAsync(_gateway.Unix(), "show servers state app\n"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await ops.PutAsJsonAsync("/api/v1/clusters/app/destinations/d0/state", new { state = "off" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PutAsJsonAsync("/api/v1/clusters/app/destinations/zz/state", new { state = "ready" })).StatusCode);
        await ops.PutAsJsonAsync("/api/v1/clusters/app/destinations/d0/state", new { state = "ready" });
        Assert.Equal(HttpStatusCode.OK, (await _gateway.GetAsync("open.test")).StatusCode);
        Assert.True(_gateway.Logs.Contains("Audit: api:ops set destination app/d0 to maint."));
    }

    [Fact]
    public async Task PublicListener_NeverServesTheAdminApi()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);

        var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Client.GetAsync("/api/v1/openapi.json")).StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesExactlyTheMappedEndpoints()
    {
        using var client = _gateway.CreateClient("management");
        using var document = JsonDocument.Parse(await client.GetStringAsync("/api/v1/openapi.json"));

        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        var mapped = AdminApiEndpoints(_gateway).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(mapped, documented);
        Assert.Equal(14, documented.Count);
        Assert.Equal("http", document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
    }

    private static IEnumerable<string> AdminApiEndpoints(TestGateway gateway) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>(gateway.Services)
            .SelectMany(s => s.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true && e.RoutePattern.RawText != "/api/v1/openapi.json")
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"));

    private Task<HttpResponseMessage> WithCookieAsync(string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Host = "app.test";
        request.Headers.Add("Cookie", cookie);
        return _gateway.Client.SendAsync(request);
    }

    private HttpClient Client(string key)
    {
        var client = _gateway.CreateClient("management");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

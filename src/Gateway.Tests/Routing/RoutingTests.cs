using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Routing;

public sealed class RoutingTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject TwoClusters(JsonObject routes) => new()
    {
        ["Routes"] = routes,
        ["Clusters"] = new JsonObject
        {
            ["a"] = TestGateway.Cluster(backends.A.Url),
            ["b"] = TestGateway.Cluster(backends.B.Url),
        },
    };

    [Fact]
    public async Task Host_RoutesEachHostToItsCluster()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["confluence"] = new JsonObject { ["Hosts"] = new JsonArray("confluence.example.com"), ["Cluster"] = "a" },
            ["grafana"] = new JsonObject { ["Hosts"] = new JsonArray("grafana.example.com"), ["Cluster"] = "b" },
        }));

        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("confluence.example.com"))).Backend);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("grafana.example.com"))).Backend);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("CONFLUENCE.example.com"))).Backend);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("other.example.com")).StatusCode);
    }

    [Fact]
    public async Task WildcardHost_MatchesSubdomainsOnly()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["kube"] = new JsonObject { ["Hosts"] = new JsonArray("*.kube.example.com"), ["Cluster"] = "b" },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("a.kube.example.com"))).Backend);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("deep.a.kube.example.com"))).Backend);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("kube.example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("a.kube.example.com.evil.test")).StatusCode);
    }

    [Fact]
    public async Task WildcardHostWithLongerPath_BeatsExactHostWithShorterPath()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["www"] = new JsonObject { ["Hosts"] = new JsonArray("www.example.com"), ["Cluster"] = "a" },
            ["api"] = new JsonObject { ["Hosts"] = new JsonArray("*.example.com"), ["PathPrefix"] = "/api", ["Cluster"] = "b" },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/api/items"))).Backend);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/home"))).Backend);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("shop.example.com", "/api"))).Backend);
    }

    [Fact]
    public async Task Order_DecidesBetweenAWildcardAndAnExactHostOnTheSamePath()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["www"] = new JsonObject { ["Hosts"] = new JsonArray("www.example.com"), ["Cluster"] = "a", ["Order"] = 2 },
            ["all"] = new JsonObject { ["Hosts"] = new JsonArray("*.example.com"), ["Cluster"] = "b", ["Order"] = 1 },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("www.example.com", "/"))).Backend);
    }

    [Fact]
    public async Task PathPrefix_SendsPrefixToItsClusterAndTheRestElsewhere()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["site"] = new JsonObject { ["PathPrefix"] = "/", ["Cluster"] = "a" },
            ["api"] = new JsonObject { ["PathPrefix"] = "/api", ["Cluster"] = "b" },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/api"))).Backend);
        var deep = await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/api/v1/items?q=1"));
        Assert.Equal(("b", "/api/v1/items?q=1"), (deep.Backend, deep.Path));
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/apix"))).Backend);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/"))).Backend);
    }

    [Fact]
    public async Task PathPattern_MatchesTheTemplate()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["items"] = new JsonObject { ["Path"] = "/items/{id:int}", ["Cluster"] = "b" },
            ["rest"] = new JsonObject { ["PathPrefix"] = "/", ["Cluster"] = "a" },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/items/42"))).Backend);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/items/abc"))).Backend);
    }

    [Fact]
    public async Task Methods_RouteOnlyTheListedMethods()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["writes"] = new JsonObject { ["Methods"] = new JsonArray("POST", "put"), ["Cluster"] = "b" },
            ["reads"] = new JsonObject { ["Methods"] = new JsonArray("GET"), ["Cluster"] = "a" },
        }));

        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/", HttpMethod.Post))).Backend);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/", HttpMethod.Put))).Backend);
        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("x.test", "/"))).Backend);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("x.test", "/", HttpMethod.Delete)).StatusCode);
    }

    [Fact]
    public async Task ForwardedHeaders_ReachTheBackendAndTheHostIsKept()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["all"] = new JsonObject { ["Cluster"] = "a" },
        }));

        var request = new HttpRequestMessage(HttpMethod.Get, "/where");
        request.Headers.Host = "confluence.example.com";
        // A client-supplied X-Forwarded-For must not reach the backend as if the gateway had vouched for it.
        request.Headers.Add("X-Forwarded-For", "203.0.113.66");
        var echo = await EchoResponse.ReadAsync(await gateway.Client.SendAsync(request));

        Assert.Equal("confluence.example.com", echo.Headers["Host"]);
        Assert.Equal("127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        Assert.Equal("confluence.example.com", echo.Headers["X-Forwarded-Host"]);
    }

    [Fact]
    public async Task TraceHeaders_PassThroughAsTheClientSentThem_AndNoneAreMadeUp()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "a" } }));

        // Like HAProxy, the proxy starts no trace of its own: a request without trace context reaches the backend without one.
        var plain = await EchoResponse.ReadAsync(await gateway.GetAsync("app.example.com", "/plain"));
        Assert.False(plain.Headers.ContainsKey("traceparent"));
        Assert.False(plain.Headers.ContainsKey("Request-Id"));

        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        request.Headers.Host = "app.example.com";
        request.Headers.Add("traceparent", traceparent);
        request.Headers.Add("tracestate", "vendor=1");
        var traced = await EchoResponse.ReadAsync(await gateway.Client.SendAsync(request));
        Assert.Equal(traceparent, traced.Headers["traceparent"]);
        Assert.Equal("vendor=1", traced.Headers["tracestate"]);
    }

    [Fact]
    public async Task ClusterHost_ReplacesTheHostSentToTheDestination()
    {
        var config = TwoClusters(new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "a" } });
        config["Clusters"]!["a"]!["Host"] = "internal.app.local";
        await using var gateway = await TestGateway.StartAsync(config);

        var echo = await EchoResponse.ReadAsync(await gateway.GetAsync("public.example.com"));

        Assert.Equal("internal.app.local", echo.Headers["Host"]);
        Assert.Equal("public.example.com", echo.Headers["X-Forwarded-Host"]);
    }

    [Fact]
    public async Task NoMatchingRoute_Gets404()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["only"] = new JsonObject { ["Hosts"] = new JsonArray("only.example.com"), ["Cluster"] = "a" },
        }));

        var response = await gateway.GetAsync("nobody.example.com", "/x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route matches", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fallback_TakesWhatNoRouteMatches()
    {
        var config = TwoClusters(new JsonObject
        {
            ["only"] = new JsonObject { ["Hosts"] = new JsonArray("only.example.com"), ["Cluster"] = "a" },
        });
        config["Fallback"] = new JsonObject { ["Cluster"] = "b" };
        await using var gateway = await TestGateway.StartAsync(config);

        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.GetAsync("only.example.com"))).Backend);
        var fallback = await EchoResponse.ReadAsync(await gateway.GetAsync("nobody.example.com", "/deep/path"));
        Assert.Equal(("b", "/deep/path"), (fallback.Backend, fallback.Path));
        Assert.Equal("nobody.example.com", fallback.Headers["Host"]);
    }

    [Fact]
    public async Task RouteListeners_LimitARouteToTheListenersItNames()
    {
        var config = TwoClusters(new JsonObject
        {
            ["internal"] = new JsonObject { ["Listeners"] = new JsonArray("internal"), ["Cluster"] = "b" },
            ["public"] = new JsonObject { ["Listeners"] = new JsonArray("http"), ["Cluster"] = "a" },
        });
        config["Listeners"] = new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = FreePort.Get() },
            ["internal"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = FreePort.Get() },
        };
        await using var gateway = await TestGateway.StartAsync(config);
        using var internalClient = gateway.CreateClient("internal");

        Assert.Equal("a", (await EchoResponse.ReadAsync(await gateway.Client.GetAsync("/"))).Backend);
        Assert.Equal("b", (await EchoResponse.ReadAsync(await internalClient.GetAsync("/"))).Backend);
    }

    [Fact]
    public async Task WebSocket_IsUpgradedThroughTheGatewayAndEchoes()
    {
        await using var gateway = await TestGateway.StartAsync(TwoClusters(new JsonObject
        {
            ["all"] = new JsonObject { ["Cluster"] = "a" },
        }));

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port()}/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello through the gateway"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal("hello through the gateway", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task H2cListener_ServesHttp2WithPriorKnowledge()
    {
        var config = TwoClusters(new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "a" } });
        config["Listeners"] = new JsonObject
        {
            ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = FreePort.Get(), ["Protocol"] = "h2c" },
        };
        await using var gateway = await TestGateway.StartAsync(config);

        var request = new HttpRequestMessage(HttpMethod.Get, "/h2") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("a", (await EchoResponse.ReadAsync(response)).Backend);
    }
}

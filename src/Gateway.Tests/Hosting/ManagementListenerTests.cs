using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Hosting;

public sealed class ManagementListenerTests(BackendsFixture backends) : IClassFixture<BackendsFixture>
{
    private JsonObject CatchAll() => new()
    {
        ["Routes"] = new JsonObject { ["all"] = new JsonObject { ["Cluster"] = "a" } },
        ["Clusters"] = new JsonObject { ["a"] = TestGateway.Cluster(backends.A.Url) },
    };

    [Fact]
    public async Task HealthAndReadiness_AnswerOnTheManagementListener()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());
        using var management = gateway.CreateClient("management");

        var health = await management.GetAsync("/healthz");
        var ready = await management.GetAsync("/readyz");

        Assert.Equal((HttpStatusCode.OK, "ok\n"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, "ready\n"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task StateDirectory_IsCreatedOwnerOnly()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());

        var path = Path.Combine(gateway.Directory, "state");

        Assert.True(Directory.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task PublicListener_NeverServesManagementEndpoints_TheBackendGetsThem()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());

        // With a catch-all route, the application's own /healthz must reach the application.
        var echo = await EchoResponse.ReadAsync(await gateway.Client.GetAsync("/healthz"));

        Assert.Equal(("a", "/healthz"), (echo.Backend, echo.Path));
    }

    [Fact]
    public async Task PublicListener_WithoutRoute_DoesNotExposeManagementEndpoints()
    {
        var config = CatchAll();
        config["Routes"] = new JsonObject { ["one"] = new JsonObject { ["Hosts"] = new JsonArray("app.example.com"), ["Cluster"] = "a" } };
        await using var gateway = await TestGateway.StartAsync(config);

        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("localhost", "/healthz")).StatusCode);
    }

    [Fact]
    public async Task ManagementListener_NeverServesRoutes()
    {
        await using var gateway = await TestGateway.StartAsync(CatchAll());
        using var management = gateway.CreateClient("management");
        var before = backends.A.Requests;

        var response = await management.GetAsync("/some/app/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, backends.A.Requests);
    }
}

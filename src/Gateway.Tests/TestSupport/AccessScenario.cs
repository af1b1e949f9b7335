using System.Net;
using System.Text.Json.Nodes;
using Gateway.Access;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.TestSupport;

/// <summary>Builds gateway configs with a protected route, and issues KATs through the gateway's own writer.</summary>
public static class AccessScenario
{
    public const string Host = "confluence.example.com";

    /// <summary>
    /// A route for <see cref="Host"/> to <paramref name="backend"/>, protected by <paramref name="policy"/> with list
    /// "confluence" (#500, tokens #501) holding <paramref name="entries"/>.
    /// </summary>
    public static JsonObject Config(Uri backend, string policy, params string[] entries)
    {
        var list = new JsonArray();
        foreach (var entry in entries)
        {
            list.Add(entry);
        }

        return new JsonObject
        {
            ["Access"] = new JsonObject
            {
                ["Lists"] = new JsonObject
                {
                    ["confluence"] = new JsonObject { ["Id"] = 500, ["TokenMapId"] = 501, ["Entries"] = list },
                    ["grafana"] = new JsonObject { ["Id"] = 600, ["TokenMapId"] = 601, ["Entries"] = new JsonArray("127.0.0.0/8") },
                },
            },
            ["Routes"] = new JsonObject
            {
                ["confluence"] = new JsonObject
                {
                    ["Hosts"] = new JsonArray(Host),
                    ["Cluster"] = "app",
                    ["Access"] = new JsonObject { ["Policy"] = policy, ["List"] = "confluence" },
                },
                ["grafana"] = new JsonObject
                {
                    ["Hosts"] = new JsonArray("grafana.example.com"),
                    ["Cluster"] = "app",
                    ["Access"] = new JsonObject { ["Policy"] = "ip+kat", ["List"] = "grafana" },
                },
            },
            ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend) },
        };
    }

    /// <summary>Issues a KAT for a list, as the runtime API or the portal would.</summary>
    public static async Task<string> IssueAsync(TestGateway gateway, string list = "confluence", string value = "alice", TimeSpan? lifetime = null)
    {
        var writer = gateway.Services.GetRequiredService<AccessWriter>();
        Assert.True(writer.State.TryGetMap(list, out var map));
        var (token, _) = await writer.IssueTokenAsync(map, null, value, lifetime ?? TimeSpan.FromSeconds(60), "test");
        return token;
    }

    /// <summary>Redeems a token with <c>?kat=</c> and returns the session cookie (name=value).</summary>
    public static async Task<string> RedeemAsync(HttpClient client, string token, string host = Host, string path = "/")
    {
        var response = await SendAsync(client, host, $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}kat={token}");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        return setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
    }

    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string host, string path, string? cookie = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        configure?.Invoke(request);
        return client.SendAsync(request);
    }
}

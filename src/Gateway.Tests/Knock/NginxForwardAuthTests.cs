using System.Net;
using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Knock;

/// <summary>
/// A real nginx in front of the applications asks the gateway with <c>auth_request</c> (the knockrd setup): users
/// allowed in the portal get through nginx, with their name passed on to the application; everyone else is refused.
/// </summary>
[Collection(KnockCollection.Name)]
public sealed class NginxForwardAuthTests(KnockFixture fixture)
{
    private static readonly IPAddress Office = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.3");

    private static string NginxHttpBlock(int nginxPort, int gatewayPort, Uri backend) => $$"""
          server {
            listen 127.0.0.1:{{nginxPort}};
            location = /.gateway/auth {
              internal;
              proxy_pass http://127.0.0.1:{{gatewayPort}};
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              proxy_set_header Host $http_host;
              proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
              proxy_set_header X-Original-Method $request_method;
              proxy_set_header X-Forwarded-For $remote_addr;
            }
            location / {
              auth_request /.gateway/auth;
              auth_request_set $auth_user $upstream_http_x_auth_request_user;
              auth_request_set $auth_groups $upstream_http_x_auth_request_groups;
              proxy_set_header X-Auth-User $auth_user;
              proxy_set_header X-Auth-Groups $auth_groups;
              proxy_pass {{backend.ToString().TrimEnd('/')}};
            }
          }
        """;

    [Fact]
    public async Task Nginx_AuthRequest_LetsAllowedClientsThroughAndRefusesTheRest()
    {
        await using var site = await KnockSite.StartAsync(fixture.Provider, fixture.Backend, config =>
        {
            config["Access"]!["TrustedProxies"] = new JsonArray("127.0.0.1");
            config["Knock"]!["ForwardAuth"] = new JsonObject { ["Enabled"] = true };
        });
        var nginxPort = FreePort.Get();
        await using var nginx = await NginxProcess.StartAsync(NginxHttpBlock(nginxPort, site.Port, fixture.Backend.Url), nginxPort);

        // Olga allows her office address for Grafana (an IP-only list), and alice hers for Confluence (IP + session).
        using var olga = await site.SignedInAsync("olga", from: Office);
        await olga.SubmitAsync(site.Portal, "/allow", new Dictionary<string, string> { ["app"] = "grafana" });
        using var alice = await site.SignedInAsync("alice", from: Office);
        var allow = await alice.SubmitAsync(site.Portal, "/allow", new Dictionary<string, string> { ["app"] = "confluence" });
        await alice.FollowAsync(allow.Headers.Location!);
        var session = "gw_session_confluence=" + alice.CookieValue(site.Confluence, "gw_session_confluence");

        using var office = new KnockUser("office", nginxPort, from: Office);
        using var stranger = new KnockUser("stranger", nginxPort, from: Stranger);
        var grafana = new Uri($"http://grafana.test:{nginxPort}/d/home");
        var confluence = new Uri($"http://confluence.test:{nginxPort}/wiki");

        var allowed = await office.Http.GetAsync(grafana);
        var refused = await stranger.Http.GetAsync(grafana);
        var withSession = await office.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, confluence) { Headers = { { "Cookie", session } } });
        var withoutSession = await office.Http.GetAsync(confluence);
        var stolenSession = await stranger.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, confluence) { Headers = { { "Cookie", session } } });

        var echo = await EchoResponse.ReadAsync(allowed);
        Assert.Equal(("/d/home", "olga", "ops"), (echo.Path, echo.Headers["X-Auth-User"], echo.Headers["X-Auth-Groups"]));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("alice", (await EchoResponse.ReadAsync(withSession)).Headers["X-Auth-User"]);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutSession.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, stolenSession.StatusCode);
        Assert.True(site.Gateway.Logs.Contains("Forward-auth denied grafana.test/d/home (route grafana) for client 127.0.0.3 via 127.0.0.1: 403 ip-not-listed."), nginx.Output);
    }
}

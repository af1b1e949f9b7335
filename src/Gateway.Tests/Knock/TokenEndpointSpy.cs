using System.Text;
using System.Text.Json.Nodes;
using Gateway.Knock;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Knock;

/// <summary>
/// Sits between the gateway and the provider (as the gateway's backchannel handler): records the id_tokens the
/// token endpoint hands out, and may replace them (a tampered or unsigned token, as a man in the middle would).
/// </summary>
internal sealed class TokenEndpointSpy(Func<string, string>? rewrite = null) : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly List<string> _issued = [];

    public IReadOnlyList<string> Issued
    {
        get
        {
            lock (_issued)
            {
                return [.. _issued];
            }
        }
    }

    public void InstallIn(WebApplicationBuilder builder) =>
        builder.Services.AddKeyedSingleton<HttpMessageHandler>(OidcBackchannel.HandlerKey, this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath != "/token" || !response.IsSuccessStatusCode)
        {
            return response;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
        var idToken = body["id_token"]!.GetValue<string>();
        lock (_issued)
        {
            _issued.Add(idToken);
        }

        if (rewrite is not null)
        {
            body["id_token"] = rewrite(idToken);
        }

        response.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return response;
    }
}

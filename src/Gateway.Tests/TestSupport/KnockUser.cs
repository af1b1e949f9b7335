using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A person using the portal without a browser: an HttpClient with its own cookie jar that signs in at the real
/// provider (its login form, as a browser would post it), reads the portal page and posts its forms. Names under
/// <c>.test</c> reach the gateway on the address given (127.0.0.1 unless told), from the source address given.
/// </summary>
public sealed partial class KnockUser : IDisposable
{
    private readonly HttpClient _http;
    private readonly int _gatewayPort;

    public KnockUser(string name, int gatewayPort, IPAddress? from = null, IPAddress? to = null, CookieContainer? cookies = null)
    {
        Name = name;
        _gatewayPort = gatewayPort;
        Cookies = cookies ?? new CookieContainer();
        _http = CreateClient(Cookies, from, to ?? IPAddress.Loopback);
    }

    public string Name { get; }

    /// <summary>The cookie jar; pass it to another user object to be the same person on another address.</summary>
    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    /// <summary>The provider's redirect back to the gateway, as the browser followed it (it carries the code).</summary>
    public Uri? LastCallback { get; private set; }

    public Uri Gateway(string host, string pathAndQuery = "/") => new($"http://{host}:{_gatewayPort}{pathAndQuery}");

    /// <summary>
    /// Signs in through <paramref name="start"/>; returns the gateway's answer to the provider's redirect back.
    /// <paramref name="authorize"/> may change the authorization request on its way to the provider.
    /// </summary>
    public async Task<HttpResponseMessage> LoginAsync(Uri start, Func<Uri, Uri>? authorize = null)
    {
        var response = await _http.GetAsync(start);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"login start: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var url = authorize is null ? response.Headers.Location! : authorize(response.Headers.Location!);
        for (var hop = 0; hop < 10; hop++)
        {
            if (url.Port == _gatewayPort)
            {
                LastCallback = url;
                return await _http.GetAsync(url);
            }

            response = await _http.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // The provider's page: the login form (any password), or consent.
                var page = await response.Content.ReadAsStringAsync();
                var form = page.Contains("name=\"login\"", StringComparison.Ordinal)
                    ? new Dictionary<string, string> { ["prompt"] = "login", ["login"] = Name, ["password"] = "any" }
                    : new Dictionary<string, string> { ["prompt"] = "consent" };
                response = await _http.PostAsync(url, new FormUrlEncodedContent(form));
            }

            Assert.True((int)response.StatusCode is >= 300 and < 400, $"provider answered {response.StatusCode} at {url}: {await response.Content.ReadAsStringAsync()}");
            url = new Uri(url, response.Headers.Location!);
        }

        throw new InvalidOperationException("the login did not come back to the gateway");
    }

    /// <summary>GETs <paramref name="url"/> and follows redirects; returns the last answer and every URL visited.</summary>
    public async Task<(HttpResponseMessage Response, List<Uri> Visited)> FollowAsync(Uri url, int limit = 8)
    {
        var visited = new List<Uri> { url };
        var response = await _http.GetAsync(url);
        while ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } next && visited.Count <= limit)
        {
            url = new Uri(url, next);
            visited.Add(url);
            response = await _http.GetAsync(url);
        }

        return (response, visited);
    }

    /// <summary>Posts a form of the page at <paramref name="pageUrl"/>: its CSRF token plus <paramref name="fields"/>.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(Uri pageUrl, string action, IDictionary<string, string> fields)
    {
        var page = await (await _http.GetAsync(pageUrl)).Content.ReadAsStringAsync();
        var token = FormToken().Match(page);
        Assert.True(token.Success, "no CSRF token on the page: " + page);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) };
        return await PostAsync(new Uri(pageUrl, action), form);
    }

    public Task<HttpResponseMessage> PostAsync(Uri url, IDictionary<string, string> form) => _http.PostAsync(url, new FormUrlEncodedContent(form));

    public string? CookieValue(Uri url, string name) => Cookies.GetCookies(url)[name]?.Value;

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    private static HttpClient CreateClient(CookieContainer cookies, IPAddress? from, IPAddress to)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = cookies,
            ConnectCallback = async (context, cancellation) =>
            {
                var host = context.DnsEndPoint.Host;
                var address = host.EndsWith(".test", StringComparison.OrdinalIgnoreCase) ? to : IPAddress.Parse(host.Trim('[', ']'));
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (from is not null && from.AddressFamily == address.AddressFamily)
                {
                    socket.Bind(new IPEndPoint(from, 0));
                }

                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellation);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}

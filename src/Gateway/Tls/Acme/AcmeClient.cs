using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Gateway.Tls.Acme;

/// <summary>What the server answered to one ACME request.</summary>
internal sealed record AcmeResponse(HttpStatusCode Status, Uri? Location, TimeSpan? RetryAfter, IReadOnlyList<Uri> Alternates, byte[] Body)
{
    public T Read<T>(string what) => AcmeJson.Read<T>(Body, what);
}

/// <summary>
/// The HTTP side of ACME (RFC 8555 6): the directory, nonces (the latest Replay-Nonce of any response is kept; a HEAD
/// of newNonce only when none is left), JWS-signed POSTs with exactly <c>application/jose+json</c>, badNonce answered
/// by signing again with the fresh nonce, and every other problem raised as an <see cref="AcmeException"/>.
/// </summary>
internal sealed partial class AcmeClient(HttpClient http, Uri directoryUrl, TimeProvider time, ILogger logger) : IDisposable
{
    // badNonce is routine (Let's Encrypt and pebble reject some good nonces on purpose); each retry costs one request.
    private const int BadNonceRetries = 20;

    private static readonly MediaTypeHeaderValue JoseJson = new("application/jose+json");
    private AcmeDirectory? _directory;
    private string? _nonce;

    public Uri DirectoryUrl { get; } = directoryUrl;

    public async Task<AcmeDirectory> DirectoryAsync(CancellationToken cancellation)
    {
        if (_directory is { } cached)
        {
            return cached;
        }

        using var response = await http.GetAsync(DirectoryUrl, cancellation);
        var body = await response.Content.ReadAsByteArrayAsync(cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure($"fetching the directory {DirectoryUrl}", response, body);
        }

        return _directory = AcmeJson.Read<AcmeDirectory>(body, "directory");
    }

    /// <summary>A signed POST; <paramref name="payload"/> null is a POST-as-GET. <paramref name="kid"/> null signs with the JWK.</summary>
    public async Task<AcmeResponse> PostAsync(Uri url, AccountKey key, string? kid, byte[]? payload, string what, CancellationToken cancellation, string? accept = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var nonce = Interlocked.Exchange(ref _nonce, null) ?? await NewNonceAsync(cancellation);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new ByteArrayContent(Jws.Sign(key, url, nonce, kid, payload)),
            };
            request.Content.Headers.ContentType = JoseJson;
            if (accept is not null)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            }

            using var response = await http.SendAsync(request, cancellation);
            KeepNonce(response);
            var body = await response.Content.ReadAsByteArrayAsync(cancellation);
            if (response.IsSuccessStatusCode)
            {
                var alternates = Links(response, "alternate");
                return new AcmeResponse(response.StatusCode, response.Headers.Location, RetryAfter(response), alternates, body);
            }

            var failure = Failure(what, response, body);
            if (failure.Problem?.Type == AcmeProblem.BadNonce && attempt < BadNonceRetries)
            {
                Log.BadNonce(logger, what, attempt + 1);
                continue;
            }

            throw failure;
        }
    }

    /// <summary>An unauthenticated GET (RFC 9773 renewal information).</summary>
    public async Task<AcmeResponse> GetAsync(Uri url, string what, CancellationToken cancellation)
    {
        using var response = await http.GetAsync(url, cancellation);
        var body = await response.Content.ReadAsByteArrayAsync(cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(what, response, body);
        }

        return new AcmeResponse(response.StatusCode, response.Headers.Location, RetryAfter(response), [], body);
    }

    public void Dispose() => http.Dispose();

    private async Task<string> NewNonceAsync(CancellationToken cancellation)
    {
        var directory = await DirectoryAsync(cancellation);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await http.SendAsync(request, cancellation);
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce)
        {
            return nonce;
        }

        throw new AcmeException($"The ACME server's newNonce ({directory.NewNonce}) answered {(int)response.StatusCode} without a Replay-Nonce.");
    }

    private void KeepNonce(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values) && values.FirstOrDefault() is { Length: > 0 } nonce)
        {
            Volatile.Write(ref _nonce, nonce);
        }
    }

    private AcmeException Failure(string what, HttpResponseMessage response, byte[] body)
    {
        AcmeProblem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = AcmeJson.Read<AcmeProblem>(body, "problem");
            }
            catch (System.Text.Json.JsonException)
            {
            }
        }

        var detail = problem?.ToString() ?? $"HTTP {(int)response.StatusCode} {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}";
        return new AcmeException($"The ACME server refused {what}: {detail}", problem, RetryAfter(response));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static List<Uri> Links(HttpResponseMessage response, string relation)
    {
        var result = new List<Uri>();
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return result;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length > 1 && parts[0].StartsWith('<') && parts[0].EndsWith('>') &&
                parts.Skip(1).Any(p => p.Replace(" ", string.Empty, StringComparison.Ordinal).Equals($"rel=\"{relation}\"", StringComparison.OrdinalIgnoreCase)) &&
                Uri.TryCreate(response.RequestMessage?.RequestUri, parts[0][1..^1], out var uri))
            {
                result.Add(uri);
            }
        }

        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AcmeBadNonce, LogLevel.Debug, "The ACME server rejected the nonce of {What}; signing again (retry {Attempt}).")]
        public static partial void BadNonce(ILogger logger, string what, int attempt);
    }
}

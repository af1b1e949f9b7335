using System.Text.Json;

namespace Gateway.Knock;

/// <summary>What the discovery document says, with the signing keys read from its <c>jwks_uri</c>.</summary>
internal sealed record OidcMetadata(string Issuer, Uri AuthorizationEndpoint, Uri TokenEndpoint, Uri JwksUri, JsonWebKeySet Keys, DateTimeOffset LoadedAt);

/// <summary>The provider could not be asked (unreachable, or its documents are not usable); the message says which.</summary>
internal sealed class OidcUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Reads the provider's discovery document and signing keys, keeps them for <c>MetadataRefresh</c>, and reads the
/// keys again (at most every 30 seconds) when an id_token names a key it does not know: providers rotate keys.
/// When the provider cannot be reached, what was read before keeps being used.
/// </summary>
internal sealed partial class OidcDiscovery(OidcBackchannel backchannel, TimeProvider time, ILogger<OidcDiscovery> logger)
{
    private static readonly TimeSpan KeyRefreshSpacing = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Cached? _cached;

    public async Task<OidcMetadata> GetAsync(OidcSettings settings, CancellationToken cancellationToken)
    {
        if (_cached is { } cached && cached.Authority == settings.Authority && time.GetUtcNow() - cached.Metadata.LoadedAt < settings.MetadataRefresh)
        {
            return cached.Metadata;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && again.Authority == settings.Authority && time.GetUtcNow() - again.Metadata.LoadedAt < settings.MetadataRefresh)
            {
                return again.Metadata;
            }

            try
            {
                var metadata = await LoadAsync(settings, cancellationToken);
                _cached = new Cached(settings.Authority, metadata);
                Log.Loaded(logger, settings.Authority.ToString(), metadata.Keys.Keys.Length);
                return metadata;
            }
            catch (OidcUnavailableException e) when (_cached is { } stale && stale.Authority == settings.Authority)
            {
                Log.Failed(logger, settings.Authority.ToString(), e.Message + " (keeping what was read before)");
                return stale.Metadata;
            }
            catch (OidcUnavailableException e)
            {
                Log.Failed(logger, settings.Authority.ToString(), e.Message);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads the signing keys again, unless that was done less than 30 seconds ago; returns the metadata in force.</summary>
    public async Task<OidcMetadata> RefreshKeysAsync(OidcSettings settings, OidcMetadata current, CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - current.LoadedAt < KeyRefreshSpacing)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } cached && cached.Authority == settings.Authority && time.GetUtcNow() - cached.Metadata.LoadedAt < KeyRefreshSpacing)
            {
                return cached.Metadata;
            }

            var keys = JsonWebKeySet.Parse(await FetchAsync(current.JwksUri, "key set", cancellationToken));
            var refreshed = current with { Keys = keys, LoadedAt = time.GetUtcNow() };
            _cached = new Cached(settings.Authority, refreshed);
            Log.KeysRefreshed(logger, settings.Authority.ToString(), keys.Keys.Length);
            return refreshed;
        }
        catch (Exception e) when (e is OidcUnavailableException or FormatException)
        {
            Log.Failed(logger, settings.Authority.ToString(), e.Message);
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<OidcMetadata> LoadAsync(OidcSettings settings, CancellationToken cancellationToken)
    {
        var document = await FetchAsync(settings.DiscoveryUrl, "discovery document", cancellationToken);
        var issuer = Text(document, "issuer");
        if (issuer is null || issuer.TrimEnd('/') != settings.Authority.AbsoluteUri.TrimEnd('/'))
        {
            throw new OidcUnavailableException(
                $"the discovery document at {settings.DiscoveryUrl} names the issuer '{issuer}', not '{settings.Authority}'; set Gateway:Knock:Oidc:Authority to the provider's issuer exactly");
        }

        if (document.TryGetProperty("code_challenge_methods_supported", out var methods) && methods.ValueKind == JsonValueKind.Array &&
            !methods.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == "S256"))
        {
            throw new OidcUnavailableException($"the provider at {settings.Authority} does not offer PKCE with S256, which the gateway requires");
        }

        var authorize = Endpoint(document, "authorization_endpoint", settings);
        var token = Endpoint(document, "token_endpoint", settings);
        var jwksUri = Endpoint(document, "jwks_uri", settings);
        try
        {
            var keys = JsonWebKeySet.Parse(await FetchAsync(jwksUri, "key set", cancellationToken));
            return new OidcMetadata(issuer, authorize, token, jwksUri, keys, time.GetUtcNow());
        }
        catch (FormatException e)
        {
            throw new OidcUnavailableException($"the key set at {jwksUri} is not usable: {e.Message}", e);
        }
    }

    private async Task<JsonElement> FetchAsync(Uri url, string what, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await backchannel.Client.GetAsync(url, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new OidcUnavailableException($"the {what} at {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return json.RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new OidcUnavailableException($"the {what} at {url} could not be read: {e.Message}", e);
        }
    }

    private static Uri Endpoint(JsonElement document, string name, OidcSettings settings)
    {
        if (Text(document, name) is not { } text || !Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http"))
        {
            throw new OidcUnavailableException($"the discovery document at {settings.DiscoveryUrl} has no usable {name}");
        }

        if (url.Scheme != "https" && settings.RequireHttpsMetadata)
        {
            throw new OidcUnavailableException($"the provider's {name} {url} is not https (Gateway:Knock:Oidc:RequireHttpsMetadata is true)");
        }

        return url;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record Cached(Uri Authority, OidcMetadata Metadata);

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.OidcMetadataLoaded, LogLevel.Information, "OpenID provider {Authority}: discovery document and {Keys} signing key(s) read.")]
        public static partial void Loaded(ILogger logger, string authority, int keys);

        [LoggerMessage(Observability.EventIds.OidcMetadataFailed, LogLevel.Warning, "OpenID provider {Authority}: {Problem}.")]
        public static partial void Failed(ILogger logger, string authority, string problem);

        [LoggerMessage(Observability.EventIds.OidcKeysRefreshed, LogLevel.Information, "OpenID provider {Authority}: signing keys read again ({Keys}), as an id_token named an unknown key.")]
        public static partial void KeysRefreshed(ILogger logger, string authority, int keys);
    }
}

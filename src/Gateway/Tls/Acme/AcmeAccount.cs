using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tls.Acme;

/// <summary>
/// The registered ACME account: its key (kept 0600 in the state directory, or in PostgreSQL) and its URL, the <c>kid</c> of every
/// request after newAccount. A restart reuses both without asking the server; a new contact is sent as an update.
/// </summary>
internal sealed partial class AcmeAccount(AccountKey key, Uri url)
{
    public AccountKey Key { get; } = key;

    public Uri Url { get; } = url;

    public string Kid => Url.AbsoluteUri;

    public static async Task<AcmeAccount> OpenAsync(AcmeClient client, IAcmeStorage storage, AcmeSettings settings, ILogger logger, CancellationToken cancellation)
    {
        var (key, created) = await storage.LoadOrCreateAccountKeyAsync(cancellation);
        string[] contact = settings.Email is null ? [] : ["mailto:" + settings.Email];
        var known = created ? null : await storage.LoadAccountAsync(cancellation);
        if (known is not null && known.ExternalAccountKeyId == settings.ExternalAccount?.KeyId)
        {
            var account = new AcmeAccount(key, known.Url);
            if (!known.Contact.SequenceEqual(contact))
            {
                var update = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["contact"] = new JsonArray([.. contact.Select(c => JsonValue.Create(c))]) });
                await client.PostAsync(known.Url, key, account.Kid, update, "the account contact update", cancellation);
                await storage.SaveAccountAsync(known with { Contact = contact }, cancellation);
            }

            Log.Reused(logger, known.Url.AbsoluteUri, storage.AccountKeyLocation);
            return account;
        }

        var directory = await client.DirectoryAsync(cancellation);
        if (directory.Meta?.ExternalAccountRequired == true && settings.ExternalAccount is null)
        {
            throw new AcmeException($"The ACME server {client.DirectoryUrl} requires external account binding; set Gateway:Tls:Acme:ExternalAccount:KeyId and HmacKey.");
        }

        var payload = new JsonObject
        {
            ["termsOfServiceAgreed"] = true,
            ["contact"] = new JsonArray([.. contact.Select(c => JsonValue.Create(c))]),
        };
        if (settings.ExternalAccount is { } binding)
        {
            payload["externalAccountBinding"] = JsonNode.Parse(Jws.ExternalAccountBinding(binding, key, directory.NewAccount));
        }

        var response = await client.PostAsync(directory.NewAccount, key, kid: null, JsonSerializer.SerializeToUtf8Bytes(payload), "the new account", cancellation);
        var url = response.Location ?? throw new AcmeException("The ACME server created the account without saying its URL (no Location header).");
        await storage.SaveAccountAsync(new AccountRecord(url, contact, settings.ExternalAccount?.KeyId), cancellation);
        Log.Registered(logger, url.AbsoluteUri, response.Status == System.Net.HttpStatusCode.Created ? "created" : "found", storage.AccountKeyLocation);
        return new AcmeAccount(key, url);
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AcmeAccountCreated, LogLevel.Information, "ACME account {Url} {How} for the key {KeyPath}.")]
        public static partial void Registered(ILogger logger, string url, string how, string keyPath);

        [LoggerMessage(Observability.EventIds.AcmeAccountReused, LogLevel.Information, "Using the stored ACME account {Url} ({KeyPath}).")]
        public static partial void Reused(ILogger logger, string url, string keyPath);
    }
}

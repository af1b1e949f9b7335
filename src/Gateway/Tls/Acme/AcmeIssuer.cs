using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tls.Acme;

/// <summary>A certificate just obtained: its chain and key as stored, and the form served.</summary>
internal sealed record IssuedCertificate(string ChainPem, string KeyPem, ServerCertificate Certificate);

/// <summary>
/// One issuance (RFC 8555 7.4): new order, each pending authorization proven with the configured challenge (answered
/// by the <see cref="AcmeChallengeResponder"/> only while it is being validated), finalize with a CSR, download the
/// chain and check it before anything is stored or served.
/// </summary>
internal sealed partial class AcmeIssuer(
    AcmeClient client, AcmeAccount account, AcmeChallengeResponder responder, AcmeSettings settings, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    public async Task<IssuedCertificate> IssueAsync(AcmeCertificateRequest request, string? replaces, CancellationToken cancellation)
    {
        var directory = await client.DirectoryAsync(cancellation);
        var orderRequest = new JsonObject
        {
            ["identifiers"] = new JsonArray([.. request.Names.Select(n => new JsonObject { ["type"] = "dns", ["value"] = n })]),
        };
        if (replaces is not null && directory.RenewalInfo is not null)
        {
            orderRequest["replaces"] = replaces;
        }

        var created = await client.PostAsync(directory.NewOrder, account.Key, account.Kid, JsonSerializer.SerializeToUtf8Bytes(orderRequest), $"the order for {request}", cancellation);
        var orderUrl = created.Location ?? throw new AcmeException("The ACME server created the order without saying its URL (no Location header).");
        var order = created.Read<AcmeOrder>("order");

        foreach (var authorization in order.Authorizations)
        {
            await AuthorizeAsync(authorization, cancellation);
        }

        order = await PollAsync<AcmeOrder>(orderUrl, o => o.Status is not "pending", $"the order for {request}", cancellation);
        if (order.Status != "ready")
        {
            throw new AcmeException($"The order for {request} is {order.Status}, not ready: {order.Error}", order.Error);
        }

        var (keyPem, csr) = CertificateKeys.CreateSigningRequest(settings.KeyType, request.Names);
        var finalize = new JsonObject { ["csr"] = System.Buffers.Text.Base64Url.EncodeToString(csr) };
        await client.PostAsync(order.Finalize, account.Key, account.Kid, JsonSerializer.SerializeToUtf8Bytes(finalize), $"finalizing the order for {request}", cancellation);
        order = await PollAsync<AcmeOrder>(orderUrl, o => o.Status is not ("ready" or "processing"), $"the order for {request}", cancellation);
        if (order.Status != "valid" || order.Certificate is null)
        {
            throw new AcmeException($"The order for {request} ended {order.Status} instead of valid: {order.Error}", order.Error);
        }

        return await DownloadAsync(order.Certificate, request, keyPem, cancellation);
    }

    private async Task AuthorizeAsync(Uri url, CancellationToken cancellation)
    {
        var authorization = (await client.PostAsync(url, account.Key, account.Kid, null, "an authorization", cancellation)).Read<AcmeAuthorization>("authorization");
        var name = authorization.Identifier.Value;
        if (authorization.Status == "valid")
        {
            return;
        }

        if (authorization.Status != "pending")
        {
            throw new AcmeException($"The authorization for {name} is {authorization.Status}.");
        }

        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == settings.Challenge)
            ?? throw new AcmeException($"The ACME server offers no {settings.Challenge} challenge for {name} (only {string.Join(", ", authorization.Challenges.Select(c => c.Type))}).");
        if (challenge.Token is null)
        {
            throw new AcmeException($"The {challenge.Type} challenge for {name} has no token.");
        }

        var keyAuthorization = account.Key.KeyAuthorization(challenge.Token);
        await using var answer = settings.Challenge == AcmeSettings.Http01
            ? await responder.AddHttp01Async(challenge.Token, keyAuthorization, cancellation)
            : await responder.AddTlsAlpn01Async(name, keyAuthorization, cancellation);
        Log.Validating(logger, name, challenge.Type);
        await client.PostAsync(challenge.Url, account.Key, account.Kid, "{}"u8.ToArray(), $"the {challenge.Type} challenge for {name}", cancellation);
        authorization = await PollAsync<AcmeAuthorization>(url, a => a.Status is not "pending", $"the authorization for {name}", cancellation);
        if (authorization.Status != "valid")
        {
            var failed = authorization.Challenges.FirstOrDefault(c => c.Type == challenge.Type);
            throw new AcmeException($"The {challenge.Type} challenge for {name} failed: {failed?.Error?.ToString() ?? authorization.Status}", failed?.Error);
        }
    }

    private async Task<IssuedCertificate> DownloadAsync(Uri url, AcmeCertificateRequest request, string keyPem, CancellationToken cancellation)
    {
        const string PemChain = "application/pem-certificate-chain";
        var response = await client.PostAsync(url, account.Key, account.Kid, null, $"the certificate for {request}", cancellation, PemChain);
        var problems = new List<string>();
        foreach (var candidate in response.Alternates.Prepend(url))
        {
            var chainPem = candidate == url
                ? Encoding.UTF8.GetString(response.Body)
                : Encoding.UTF8.GetString((await client.PostAsync(candidate, account.Key, account.Kid, null, "an alternate chain", cancellation, PemChain)).Body);
            if (CertificateKeys.CheckChain(chainPem, keyPem, request, settings.IssuerCaFile, time.GetUtcNow()) is { } problem)
            {
                problems.Add($"{candidate}: {problem}");
                continue;
            }

            return new IssuedCertificate(chainPem, keyPem, AcmeStorage.Load(chainPem, keyPem, "acme " + request.Id));
        }

        throw new AcmeException($"The certificate issued for {request} does not validate: {string.Join("; ", problems)}." +
            (settings.IssuerCaFile is null ? " For a test or staging CA, set Gateway:Tls:Acme:IssuerCaFile to its root." : string.Empty));
    }

    /// <summary>POST-as-GET until <paramref name="done"/>, backing off from 100 ms to 5 s, or as Retry-After says.</summary>
    private async Task<T> PollAsync<T>(Uri url, Func<T, bool> done, string what, CancellationToken cancellation)
    {
        var deadline = Stopwatch.StartNew();
        var wait = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var response = await client.PostAsync(url, account.Key, account.Kid, null, what, cancellation);
            var resource = response.Read<T>(what);
            if (done(resource))
            {
                return resource;
            }

            if (deadline.Elapsed > StepTimeout)
            {
                throw new AcmeException($"Gave up waiting for {what} after {StepTimeout.TotalMinutes} minutes.");
            }

            var delay = response.RetryAfter is { } retryAfter ? TimeSpan.FromTicks(Math.Clamp(retryAfter.Ticks, wait.Ticks, TimeSpan.FromSeconds(60).Ticks)) : wait;
            await Task.Delay(delay, cancellation);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 3 / 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.AcmeChallengeValidating, LogLevel.Information, "Proving control of {Name} with {Challenge}.")]
        public static partial void Validating(ILogger logger, string name, string challenge);
    }
}

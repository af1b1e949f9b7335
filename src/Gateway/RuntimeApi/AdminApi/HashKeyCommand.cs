namespace Gateway.RuntimeApi.AdminApi;

/// <summary>
/// <c>gateway hash-key</c>: makes an admin API key and prints it with the hash to put in the configuration. A key given
/// on standard input (one line) is hashed instead, for keys made elsewhere.
/// </summary>
internal static class HashKeyCommand
{
    public static async Task<int> RunAsync(TextReader input, bool inputRedirected, TextWriter output, TextWriter error)
    {
        var key = inputRedirected ? (await input.ReadLineAsync())?.Trim() : ApiKeys.NewKey();
        if (string.IsNullOrEmpty(key))
        {
            await error.WriteLineAsync("hash-key: standard input held no key; run it without input to generate one.");
            return 2;
        }

        if (key.Length < 16)
        {
            await error.WriteLineAsync("hash-key: that key is too short to be safe; use 16 characters or more (a generated key has 47).");
            return 2;
        }

        if (!inputRedirected)
        {
            await output.WriteLineAsync("key:  " + key);
        }

        await output.WriteLineAsync("hash: " + ApiKeys.HashOf(key));
        await output.WriteLineAsync(inputRedirected
            ? "Put the hash in Gateway:AdminApi:Keys:<name>:Hash."
            : "Give the key to the client (it is shown only now) and put the hash in Gateway:AdminApi:Keys:<name>:Hash.");
        return 0;
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.TestSupport;

/// <summary>
/// A real OpenID provider: npm oidc-provider (version pinned in test-fixtures/oidc-provider) run by node on a free
/// loopback port; <c>npm ci</c> first when its packages are not installed. Any login and password are accepted; the
/// users' groups are given at start. Each test gateway registers a client of its own.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OidcProvider(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string FixtureDirectory => Path.Combine(RepositoryPaths.Root, "test-fixtures", "oidc-provider");

    public static async Task<OidcProvider> StartAsync(IReadOnlyDictionary<string, string[]> users)
    {
        await InstallAsync();
        var port = FreePort.Get();
        var start = new ProcessStartInfo("node", "provider.js")
        {
            WorkingDirectory = FixtureDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OIDC_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["OIDC_USERS"] = new JsonObject(users.Select(u => KeyValuePair.Create(u.Key, (JsonNode?)new JsonObject { ["groups"] = new JsonArray([.. u.Value.Select(g => (JsonNode?)g)]) }))).ToJsonString();
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start; is Node.js installed?");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = new OidcProvider(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) =>
        {
            provider.Append(e.Data);
            if (e.Data?.StartsWith("READY ", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(new Uri(e.Data[6..]));
            }
        };
        process.ErrorDataReceived += (_, e) => provider.Append(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("oidc-provider exited at start:\n" + provider.Output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return provider;
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registers a client (Dynamic Client Registration) with its redirect URIs; returns its id and secret.</summary>
    public async Task<(string ClientId, string ClientSecret)> RegisterClientAsync(IEnumerable<Uri> redirectUris, string idTokenAlgorithm = "RS256")
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(Issuer, "/reg"), new JsonObject
        {
            ["redirect_uris"] = new JsonArray([.. redirectUris.Select(u => (JsonNode?)u.ToString())]),
            ["response_types"] = new JsonArray("code"),
            ["grant_types"] = new JsonArray("authorization_code"),
            ["token_endpoint_auth_method"] = "client_secret_post",
            ["id_token_signed_response_alg"] = idTokenAlgorithm,
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, "client registration failed: " + body);
        var client = JsonNode.Parse(body)!;
        return (client["client_id"]!.GetValue<string>(), client["client_secret"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary><c>npm ci</c> in the fixture folder, once, when oidc-provider is not installed (CI does it in scripts/test).</summary>
    private static async Task InstallAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(FixtureDirectory, "node_modules", "oidc-provider")))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund")
            {
                WorkingDirectory = FixtureDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm did not start; is Node.js installed?");
            var output = npm.StandardOutput.ReadToEndAsync();
            var errors = npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci failed ({npm.ExitCode}):\n{await output}\n{await errors}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

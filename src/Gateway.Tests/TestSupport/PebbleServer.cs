using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Tests.TestSupport;

/// <summary>How a <see cref="PebbleServer"/> behaves (pebble's config file and PEBBLE_* environment).</summary>
public sealed record PebbleOptions
{
    /// <summary>Percentage of good nonces rejected with badNonce (pebble's default is 5).</summary>
    public int NonceRejectPercent { get; init; } = 5;

    /// <summary>Lifetime of issued certificates; pebble's default is five years.</summary>
    public int? CertificateValiditySeconds { get; init; }

    /// <summary>External account binding keys (key id → base64url MAC key); when set, binding is required.</summary>
    public IReadOnlyDictionary<string, string>? ExternalAccountKeys { get; init; }
}

/// <summary>
/// Debian's pebble (ACME test server) and pebble-challtestsrv (its DNS: every name resolves to 127.0.0.1 unless told
/// otherwise), on free loopback ports with a config written here. Pebble validates http-01 on <see cref="HttpPort"/>
/// and tls-alpn-01 on <see cref="TlsPort"/>, so the gateway under test listens there. Authorizations are never reused,
/// so every order really proves its names.
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _log = new();
    private readonly int _challengeManagementPort;
    private Process? _pebble;
    private Func<Task>? _startPebble;

    private PebbleServer(string directory, int acmePort, int httpPort, int tlsPort, int challengeManagementPort)
    {
        Directory = directory;
        DirectoryUrl = new Uri($"https://127.0.0.1:{acmePort}/dir");
        HttpPort = httpPort;
        TlsPort = tlsPort;
        _challengeManagementPort = challengeManagementPort;
    }

    /// <summary>Working folder: listener CA and certificate, config, pebble's issuing root.</summary>
    public string Directory { get; }

    public Uri DirectoryUrl { get; }

    public int HttpPort { get; }

    public int TlsPort { get; }

    /// <summary>CA of pebble's own HTTPS listener (trust it to talk ACME to pebble).</summary>
    public string ListenerCaFile => Path.Combine(Directory, "listener-ca.pem");

    /// <summary>Pebble's issuing root, new on every start (issued chains validate against it).</summary>
    public string IssuingRootFile => Path.Combine(Directory, "issuing-root.pem");

    public X509Certificate2 IssuingRoot { get; private set; } = null!;

    /// <summary>What pebble printed, for counting its requests and for diagnostics.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<PebbleServer> StartAsync(PebbleOptions? options = null)
    {
        options ??= new PebbleOptions();
        var directory = System.IO.Directory.CreateTempSubdirectory("pebble-").FullName;
        var (acme, management, http, tls, dns, challengeManagement) = (FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get(), FreePort.Get());
        var server = new PebbleServer(directory, acme, http, tls, challengeManagement);
        try
        {
            await server.StartProcessesAsync(options, acme, management, dns);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes <paramref name="host"/> resolve to <paramref name="address"/> for pebble's validations.</summary>
    public Task SetAddressAsync(string host, string address) =>
        ManageAsync("add-a", new JsonObject { ["host"] = host, ["addresses"] = new JsonArray(address) });

    /// <summary>Back to the default answer, 127.0.0.1.</summary>
    public Task ClearAddressAsync(string host) => ManageAsync("clear-a", new JsonObject { ["host"] = host });

    /// <summary>How many times pebble handled a request to <paramref name="path"/> (such as /order-plz).</summary>
    public int Requests(string path) => Log.Split('\n').Count(l => l.Contains($"POST {path} ", StringComparison.Ordinal));

    /// <summary>
    /// How many orders (or accounts, with <c>"accounts in memory"</c>) pebble created: unlike <see cref="Requests"/>,
    /// a request resent after a rejected nonce is not counted twice.
    /// </summary>
    public int Created(string what = "orders in the db") => Log.Split('\n').Count(l => l.Contains($" {what}", StringComparison.Ordinal) && l.Contains("There are now ", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        IssuingRoot?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task StartProcessesAsync(PebbleOptions options, int acme, int management, int dns)
    {
        using var listenerCa = WriteListenerCertificates();
        var config = new JsonObject
        {
            ["listenAddress"] = $"127.0.0.1:{acme}",
            ["managementListenAddress"] = $"127.0.0.1:{management}",
            ["certificate"] = Path.Combine(Directory, "listener.pem"),
            ["privateKey"] = Path.Combine(Directory, "listener.key"),
            ["httpPort"] = HttpPort,
            ["tlsPort"] = TlsPort,
            ["ocspResponderURL"] = string.Empty,
            ["externalAccountBindingRequired"] = options.ExternalAccountKeys is not null,
        };
        if (options.CertificateValiditySeconds is { } validity)
        {
            config["certificateValidityPeriod"] = validity;
        }

        if (options.ExternalAccountKeys is { } keys)
        {
            config["externalAccountMACKeys"] = new JsonObject(keys.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)k.Value)));
        }

        var configPath = Path.Combine(Directory, "pebble-config.json");
        await File.WriteAllTextAsync(configPath, new JsonObject { ["pebble"] = config }.ToJsonString());

        // challtestsrv answers DNS only: its own challenge responders would take pebble's validation ports.
        Start("pebble-challtestsrv", [], "-dns01", $"127.0.0.1:{dns}", "-management", $"127.0.0.1:{_challengeManagementPort}",
            "-http01", string.Empty, "-https01", string.Empty, "-tlsalpn01", string.Empty, "-defaultIPv6", string.Empty);
        var caPem = listenerCa.ExportCertificatePem();
        _startPebble = async () =>
        {
            _pebble = Start("pebble", new Dictionary<string, string>
            {
                ["PEBBLE_VA_NOSLEEP"] = "1",
                ["PEBBLE_AUTHZREUSE"] = "0",
                ["PEBBLE_WFE_NONCEREJECT"] = options.NonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, "-config", configPath, "-dnsserver", $"127.0.0.1:{dns}");
            using var ca = X509Certificate2.CreateFromPem(caPem);
            await WaitUntilReadyAsync(ca, management);
        };
        await _startPebble();
    }

    /// <summary>Restarts pebble on the same ports: it forgets every account and order, and gets a new issuing root.</summary>
    public async Task RestartAsync()
    {
        _pebble!.Kill(entireProcessTree: true);
        await _pebble.WaitForExitAsync();
        _processes.Remove(_pebble);
        _pebble.Dispose();
        await _startPebble!();
    }

    private async Task WaitUntilReadyAsync(X509Certificate2 listenerCa, int management)
    {
        using var client = TrustingClient(listenerCa);
        await Eventually.TrueAsync(
            async () =>
            {
                if (_processes.Any(p => p.HasExited))
                {
                    throw new InvalidOperationException("pebble exited at start:\n" + Log);
                }

                return await Answers(client, DirectoryUrl) && await Listens(_challengeManagementPort);
            },
            "pebble and challtestsrv to be ready");
        var root = await client.GetStringAsync(new Uri($"https://127.0.0.1:{management}/roots/0"));
        await File.WriteAllTextAsync(IssuingRootFile, root);
        IssuingRoot?.Dispose();
        IssuingRoot = X509Certificate2.CreateFromPem(root);
    }

    private X509Certificate2 WriteListenerCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=pebble listener test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(12));

        File.WriteAllText(ListenerCaFile, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "listener.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "listener.key"), key.ExportPkcs8PrivateKeyPem());
        return ca;
    }

    private Process Start(string program, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start; is the Debian package installed?");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task ManageAsync(string command, JsonObject body)
    {
        using var client = new HttpClient();
        var response = await client.PostAsync(new Uri($"http://127.0.0.1:{_challengeManagementPort}/{command}"), new StringContent(body.ToJsonString()));
        response.EnsureSuccessStatusCode();
    }

    private static HttpClient TrustingClient(X509Certificate2 ca)
    {
        var handler = new SocketsHttpHandler();
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        handler.SslOptions.CertificateChainPolicy = policy;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
    }

    private static async Task<bool> Answers(HttpClient client, Uri url)
    {
        try
        {
            return (await client.GetAsync(url)).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<bool> Listens(int port)
    {
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Kubernetes;

/// <summary>A fake API server, two real backends ("pods") on loopback, and a gateway in ingress-controller mode against them.</summary>
internal sealed class IngressHarness : IAsyncDisposable
{
    public const string StatusAddress = "203.0.113.10";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-k8s-test-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<TestBackend> _backends = [];

    private IngressHarness(TestCertificates certificates, FakeKubernetesApi api)
    {
        Certificates = certificates;
        Api = api;
    }

    public TestCertificates Certificates { get; }

    public FakeKubernetesApi Api { get; }

    public TestGateway Gateway { get; private set; } = null!;

    public static async Task<IngressHarness> StartApiAsync()
    {
        var certificates = new TestCertificates();
        return new IngressHarness(certificates, await FakeKubernetesApi.StartAsync(certificates));
    }

    public async Task<TestBackend> BackendAsync(string name)
    {
        var backend = await TestBackend.StartAsync(name);
        _backends.Add(backend);
        return backend;
    }

    /// <summary>Starts the gateway with <paramref name="gateway"/> plus the Kubernetes section pointing at the fake API.</summary>
    public async Task<TestGateway> StartGatewayAsync(JsonObject? gateway = null, JsonObject? kubernetes = null)
    {
        gateway ??= [];
        kubernetes ??= [];
        kubernetes["Enabled"] = true;
        kubernetes["ApiServer"] = Api.Url.ToString();
        kubernetes["Token"] = FakeKubernetesApi.Token;
        kubernetes["CaFile"] = Certificates.WriteCaPem(_directory);
        kubernetes["StatusAddress"] ??= StatusAddress;
        kubernetes["MaxBackoff"] ??= "1s";
        gateway["Kubernetes"] = kubernetes;
        Gateway = await TestGateway.StartAsync(gateway);
        return Gateway;
    }

    /// <summary>The backend that answered a request for <paramref name="host"/>, or the status when none did.</summary>
    public async Task<string> WhoAnswersAsync(string host, string path = "/")
    {
        using var response = await Gateway.GetAsync(host, path);
        return response.IsSuccessStatusCode ? (await EchoResponse.ReadAsync(response)).Backend : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until <paramref name="host"/> is answered by <paramref name="expected"/> (a backend name or a status code).</summary>
    public Task AnsweredByAsync(string host, string expected, string path = "/") =>
        Eventually.TrueAsync(async () => await WhoAnswersAsync(host, path) == expected, $"{host}{path} answered by {expected}");

    public async ValueTask DisposeAsync()
    {
        // K8S_TEST_LOGS=<file> appends the gateway's log to that file, for looking into a failing test.
        if (Environment.GetEnvironmentVariable("K8S_TEST_LOGS") is not null && Gateway is not null)
        {
            foreach (var entry in Gateway.Logs.Entries)
            {
                await File.AppendAllTextAsync(Environment.GetEnvironmentVariable("K8S_TEST_LOGS")!, $"{entry.Id.Id} {entry.Category}: {entry.Message}\n");
            }
        }

        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }

        await Api.DisposeAsync();
        Certificates.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

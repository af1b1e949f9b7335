using System.Text.Json.Nodes;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.Tls.Acme;

/// <summary>A gateway that obtains its certificates from a <see cref="PebbleServer"/>, on the ports pebble validates.</summary>
internal static class AcmeConfigs
{
    /// <summary>One route per host list, each with Acme: true, to <paramref name="backend"/>.</summary>
    public static JsonObject Gateway(PebbleServer pebble, Uri backend, string stateDirectory, string challenge, params string[][] routeHosts)
    {
        var routes = new JsonObject();
        for (var i = 0; i < routeHosts.Length; i++)
        {
            routes["site" + i] = new JsonObject { ["Hosts"] = new JsonArray([.. routeHosts[i].Select(h => JsonValue.Create(h))]), ["Cluster"] = "app", ["Acme"] = true };
        }

        return new JsonObject
        {
            ["StateDirectory"] = stateDirectory,
            ["Listeners"] = new JsonObject
            {
                ["http"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = pebble.HttpPort },
                ["https"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = pebble.TlsPort, ["Protocol"] = "https" },
            },
            ["Routes"] = routes,
            ["Clusters"] = new JsonObject { ["app"] = TestGateway.Cluster(backend) },
            ["Tls"] = new JsonObject
            {
                ["SelfSigned"] = new JsonObject { ["Enabled"] = true },
                ["Acme"] = new JsonObject
                {
                    ["Directory"] = pebble.DirectoryUrl.ToString(),
                    ["Email"] = "ops@gw.test",
                    ["AgreeToTermsOfService"] = true,
                    ["Challenge"] = challenge,
                    ["DirectoryCaFile"] = pebble.ListenerCaFile,
                    ["IssuerCaFile"] = pebble.IssuingRootFile,
                    ["RetryInterval"] = "1s",
                },
            },
        };
    }

    /// <summary>Waits until a handshake for <paramref name="name"/> gets a certificate that chains to pebble's root.</summary>
    public static async Task<TlsResult> IssuedAsync(PebbleServer pebble, int port, string name, string? notThumbprint = null, TimeSpan? within = null)
    {
        TlsResult? result = null;
        await Eventually.TrueAsync(
            async () =>
            {
                result = await TlsProbe.HandshakeAsync(port, name, pebble.IssuingRoot);
                return result.ChainValid && result.Certificate.Thumbprint != notThumbprint;
            },
            $"a certificate from pebble for {name}",
            within ?? TimeSpan.FromSeconds(60));
        return result!;
    }
}

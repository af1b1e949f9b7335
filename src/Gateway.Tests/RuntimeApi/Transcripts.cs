using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Tests.TestSupport;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// The recorded HAProxy transcripts (RuntimeApi/Transcripts): the case files, the Gateway configuration that mirrors
/// HAProxy's, the placeholders a case may hold, and what one reply looks like once the parts that must differ are
/// normalised (entry addresses, versions, uptimes, counters Gateway does not keep, commands Gateway does not offer).
/// </summary>
public static partial class Transcripts
{
    public const int Web1Port = 18081;
    public const int Web2Port = 18082;

    public static string Folder { get; } = Path.Combine(RepositoryPaths.Root, "src", "Gateway.Tests", "RuntimeApi", "Transcripts");

    /// <summary>The conformance cases in the order they must run (they build on each other's state).</summary>
    public static IReadOnlyList<TranscriptCase> Cases { get; } = Directory.GetFiles(Path.Combine(Folder, "cases"), "*.in")
        .Order(StringComparer.Ordinal)
        .Select(path => new TranscriptCase(path))
        .ToList();

    /// <summary>The Gateway section mirroring haproxy.cfg.</summary>
    public static JsonObject GatewayConfig() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "conformance.json")))!.AsObject();

    /// <summary>Replaces <c>{ref:&lt;list&gt;:&lt;n&gt;}</c> and <c>{mref:&lt;map&gt;:&lt;n&gt;}</c> with the n-th entry address the server itself shows.</summary>
    public static async Task<byte[]> ResolveAsync(byte[] input, EndPoint server)
    {
        var text = Encoding.Latin1.GetString(input);
        while (Placeholder().Match(text) is { Success: true } match)
        {
            var listing = await CliClient.SendAsync(server, $"show {(match.Groups[1].Value == "m" ? "map" : "acl")} {match.Groups[2].Value}\n");
            var line = listing.Split('\n')[int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) - 1];
            text = text.Replace(match.Value, line.Split(' ')[0], StringComparison.Ordinal);
        }

        return Encoding.Latin1.GetBytes(text);
    }

    [GeneratedRegex(@"\{(m?)ref:([^:}]+):(\d+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>One case: the bytes sent, HAProxy's recorded reply, and Gateway's own expected reply where it differs on purpose.</summary>
public sealed class TranscriptCase(string inputPath)
{
    public string Name { get; } = Path.GetFileNameWithoutExtension(inputPath);

    public bool OverTcp => Name.EndsWith(".tcp", StringComparison.Ordinal);

    public byte[] Input => File.ReadAllBytes(inputPath);

    public byte[] Recorded => File.ReadAllBytes(Path.ChangeExtension(inputPath, ".out"));

    /// <summary>Gateway's reply where it departs from HAProxy on purpose (a HAProxy bug not copied); null when it matches HAProxy.</summary>
    public byte[]? Deviation => File.Exists(Path.ChangeExtension(inputPath, ".gateway.out")) ? File.ReadAllBytes(Path.ChangeExtension(inputPath, ".gateway.out")) : null;

    public override string ToString() => Name;
}

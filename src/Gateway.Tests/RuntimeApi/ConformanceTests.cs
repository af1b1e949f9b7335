using System.Net;
using System.Text;
using Gateway.RuntimeApi;
using Gateway.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.RuntimeApi;

/// <summary>
/// The runtime API against the real HAProxy 2.6: every recorded case (RuntimeApi/Transcripts/cases) is sent, in order,
/// to a fresh HAProxy and to a Gateway configured alike, over the Unix socket (or TCP for *.tcp cases); both replies
/// must equal the recording once normalised (<see cref="TranscriptNormalizer"/>). Cases with a *.gateway.out file are
/// where Gateway departs from HAProxy on purpose (bugs not copied): Gateway must answer that instead.
/// </summary>
[Collection(HaproxyCollection.Name)]
public sealed class ConformanceTests(HaproxyFixture haproxy)
{
    [Fact]
    public async Task Transcripts_SameScriptsToHaproxyAndGateway_SameRepliesAsRecorded()
    {
        await haproxy.RestartAsync();
        await using var gateway = await TestGateway.StartAsync(Transcripts.GatewayConfig());
        var host = gateway.Services.GetRequiredService<RuntimeApiHost>();
        var normalizer = Normalizer(gateway);
        var failures = new List<string>();
        Assert.True(Transcripts.Cases.Count > 150, $"only {Transcripts.Cases.Count} cases found under {Transcripts.Folder}");
        foreach (var @case in Transcripts.Cases)
        {
            var (haproxyEndPoint, gatewayEndPoint) = @case.OverTcp
                ? (haproxy.Tcp, (EndPoint)host.TcpEndPoint!)
                : (haproxy.Unix, new System.Net.Sockets.UnixDomainSocketEndPoint(host.SocketPath!));
            var recorded = normalizer.Normalize(@case.Recorded);
            var live = normalizer.Normalize(await CliClient.SendAsync(haproxyEndPoint, await Transcripts.ResolveAsync(@case.Input, haproxyEndPoint)));
            var ours = normalizer.Normalize(await CliClient.SendAsync(gatewayEndPoint, await Transcripts.ResolveAsync(@case.Input, gatewayEndPoint)));
            var expected = @case.Deviation is { } deviation ? normalizer.Normalize(deviation) : recorded;
            if (live != recorded)
            {
                failures.Add(Describe(@case, "HAProxy no longer answers as recorded", recorded, live));
            }

            if (Environment.GetEnvironmentVariable("GATEWAY_TRANSCRIPT_DUMP") is { } dump)
            {
                Directory.CreateDirectory(dump);
                await File.WriteAllTextAsync(Path.Combine(dump, @case.Name + ".txt"), $"=== expected\n{expected}=== gateway\n{ours}");
            }

            if (ours != expected)
            {
                failures.Add(Describe(@case, "Gateway", expected, ours));
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Transcripts.Cases.Count} cases differ:\n" + string.Join('\n', failures));
    }

    internal static TranscriptNormalizer Normalizer(TestGateway gateway)
    {
        var usage = gateway.Services.GetRequiredService<CommandTable>().All.Where(c => c.Usage is not null).Select(c => "  " + c.Usage).ToHashSet();
        foreach (var line in Replies.UsageFooter.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            usage.Add(line);
        }

        return new TranscriptNormalizer(usage, new HashSet<int> { 0, 2, 500 });
    }

    private static string Describe(TranscriptCase @case, string who, string expected, string actual)
    {
        var text = new StringBuilder().Append("--- ").Append(@case.Name).Append(": ").Append(who).Append('\n');
        var want = expected.Split('\n');
        var got = actual.Split('\n');
        for (var i = 0; i < Math.Max(want.Length, got.Length); i++)
        {
            var w = i < want.Length ? want[i] : "<none>";
            var g = i < got.Length ? got[i] : "<none>";
            if (w != g)
            {
                text.Append("  line ").Append(i + 1).Append(":\n    expected: ").Append(Visible(w)).Append("\n    actual:   ").Append(Visible(g)).Append('\n');
                break;
            }
        }

        return text.ToString();
    }

    private static string Visible(string line) => line.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}

using System.Net;
using System.Text;
using Gateway.Observability;

namespace Gateway.Tests.Observability;

/// <summary>The access log's parts on their own: redaction, the TCP line, rotation.</summary>
public sealed class AccessLogUnitTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-accesslog-" + Guid.NewGuid().ToString("N")[..12]);

    public AccessLogUnitTests() => Directory.CreateDirectory(_directory);

    [Theory]
    [InlineData("/app", "/app")]
    [InlineData("/app?x=1", "/app?x=1")]
    [InlineData("/app?kat=abc", "/app?kat=***")]
    [InlineData("/app?x=1&kat=abc&y=2", "/app?x=1&kat=***&y=2")]
    [InlineData("/app?KAT=abc", "/app?KAT=***")]
    [InlineData("/app?k%61t=abc", "/app?k%61t=***")]
    [InlineData("/app?kat", "/app?kat=***")]
    [InlineData("/app?kat=a&kat=b", "/app?kat=***&kat=***")]
    [InlineData("/app?katalog=1&xkat=2", "/app?katalog=1&xkat=2")]
    [InlineData("/kat=abc/page", "/kat=abc/page")]
    [InlineData("/app?a+b=1&%zz=2", "/app?a+b=1&%zz=2")]
    public void Redact_SecretQueryValues_AreCutOut(string target, string expected) =>
        Assert.Equal(expected, QueryRedaction.Redact(target, ["kat"]));

    [Fact]
    public void TcpEntry_TextLine_FollowsTheTcplogLayout()
    {
        var entry = new AccessLogEntry(AccessLogKind.Tcp)
        {
            Listener = "tls",
            PeerAddress = IPAddress.Parse("2001:db8::7"),
            PeerPort = 40000,
            ClientAddress = IPAddress.Parse("203.0.113.7"),
            Route = "git",
            Cluster = "gitea",
            Destination = "s1",
            Decision = "allow",
            Reason = "allowed",
            BytesIn = 120,
            BytesOut = 4096,
            Termination = "client-closed",
            TlsVersion = null,
            Sni = "git.example.com",
        };
        entry.MarkConnecting();
        entry.MarkConnected();
        entry.Complete();

        var line = Format(entry, AccessLogFormat.Text);

        Assert.Matches(@"^203\.0\.113\.7 \[2001:db8::7\]:40000 \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}\] tls git gitea/s1 \d+/\d+/\d+ 4096 120 allow allowed client-closed - git\.example\.com\n$", line);
        Assert.Equal(entry.ConnectionTimestamp - entry.ForwardTimestamp, entry.Timings().Connect);
    }

    [Fact]
    public void TcpEntry_Json_HasNoHttpFields()
    {
        var entry = new AccessLogEntry(AccessLogKind.Tcp) { Listener = "ssh", PeerAddress = IPAddress.Loopback, PeerPort = 1 };
        entry.Complete();

        var line = Format(entry, AccessLogFormat.Json);

        Assert.Contains("\"type\":\"tcp\"", line, StringComparison.Ordinal);
        Assert.Contains("\"tw_ms\":-1,\"tc_ms\":-1,\"tt_ms\":", line, StringComparison.Ordinal);
        Assert.Contains("\"termination\":null", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"tq_ms\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status\"", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"uri\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void TextFields_WithSpacesOrQuotes_AreEscaped()
    {
        var entry = new AccessLogEntry(AccessLogKind.Http)
        {
            Listener = "http",
            Route = "my route",
            Method = "GET",
            Host = "a\"b",
            Target = "/x\"y",
            Protocol = "HTTP/1.1",
        };
        entry.Complete();

        var line = Format(entry, AccessLogFormat.Text);

        Assert.Contains(" my\\x20route ", line, StringComparison.Ordinal);
        Assert.EndsWith("{a\\x22b} \"GET /x\\x22y HTTP/1.1\"\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void RotatingFile_PastMaxSize_RotatesAndKeepsMaxFiles()
    {
        var path = Path.Combine(_directory, "logs", "access.log");
        var line = Encoding.ASCII.GetBytes(new string('x', 299) + "\n");
        using (var sink = new RotatingFileSink(path, maxSize: 1024, maxFiles: 2))
        {
            for (var i = 0; i < 12; i++)
            {
                sink.Write(line);
            }
        }

        Assert.Equal(["access.log", "access.log.1", "access.log.2"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.All(Directory.GetFiles(Path.GetDirectoryName(path)!), file => Assert.InRange(new FileInfo(file).Length, 300, 1024));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Format(AccessLogEntry entry, AccessLogFormat format)
    {
        var buffer = new AccessLogBuffer();
        new AccessLogFormatter().Format(entry, format, ["kat"], buffer);
        return Encoding.UTF8.GetString(buffer.Written.Span);
    }
}

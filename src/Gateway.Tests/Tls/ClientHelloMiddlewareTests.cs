using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Gateway.Tests.TestSupport;
using Gateway.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Tls;

/// <summary>The peek in front of the TLS handshake, on an in-memory pipe: nothing consumed, bounded in time.</summary>
public sealed class ClientHelloMiddlewareTests
{
    [Fact]
    public async Task OnConnection_ClientHelloInOneByteWrites_IsRecordedAndLeftUnconsumed()
    {
        var hello = await ClientHelloCapture.CaptureAsync("www.example.com", "h2");
        var (context, client) = Connection();
        ClientHelloInfo? seen = null;
        byte[]? passedOn = null;
        var middleware = new ClientHelloMiddleware(
            async connection =>
            {
                seen = connection.Features.Get<ClientHelloFeature>()?.Hello;
                passedOn = await ReadAsync(connection.Transport.Input, hello.Length);
            },
            TimeSpan.FromSeconds(30),
            NullLogger<ClientHelloMiddleware>.Instance);

        var run = middleware.OnConnectionAsync(context);
        foreach (var b in hello)
        {
            await client.Output.WriteAsync(new[] { b });
        }

        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("www.example.com", seen?.ServerName);
        Assert.Equal(hello, passedOn);
    }

    [Fact]
    public async Task OnConnection_ClientSendsNothing_ClosesAfterTheTimeoutWithoutGoingOn()
    {
        var (context, _) = Connection();
        var calledNext = false;
        var middleware = new ClientHelloMiddleware(
            _ =>
            {
                calledNext = true;
                return Task.CompletedTask;
            },
            TimeSpan.FromMilliseconds(100),
            NullLogger<ClientHelloMiddleware>.Instance);

        await middleware.OnConnectionAsync(context).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(calledNext);
    }

    [Fact]
    public async Task OnConnection_PlainHttp_GoesOnMarkedNotTls()
    {
        var request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var (context, client) = Connection();
        ClientHelloFeature? seen = null;
        byte[]? passedOn = null;
        var middleware = new ClientHelloMiddleware(
            async connection =>
            {
                seen = connection.Features.Get<ClientHelloFeature>();
                passedOn = await ReadAsync(connection.Transport.Input, request.Length);
            },
            TimeSpan.FromSeconds(30),
            NullLogger<ClientHelloMiddleware>.Instance);

        var run = middleware.OnConnectionAsync(context);
        await client.Output.WriteAsync(request);
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ClientHelloStatus.NotTls, seen?.Status);
        Assert.Null(seen?.Hello);
        Assert.Equal(request, passedOn);
    }

    private static (DefaultConnectionContext Context, IDuplexPipe Client) Connection()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var context = new DefaultConnectionContext("test", new Duplex(toServer.Reader, toClient.Writer), new Duplex(toClient.Reader, toServer.Writer));
        return (context, context.Application!);
    }

    private static async Task<byte[]> ReadAsync(PipeReader input, int length)
    {
        while (true)
        {
            var result = await input.ReadAsync();
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                var bytes = result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)).ToArray();
                input.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}

using System.Net.Sockets;
using System.Text;
using Gateway.Access;
using Gateway.Hosting;
using Gateway.RuntimeApi.AdminApi;

namespace Gateway.RuntimeApi;

/// <summary>
/// <c>gateway kat &lt;list&gt; [user]</c>: issues a KAT through the running gateway's runtime socket, exactly as an agent
/// would (<c>add map #&lt;id&gt; &lt;token&gt; &lt;user&gt;</c>), and prints the URL that redeems it. For trying the access flow
/// on a laptop without socat.
/// </summary>
internal static class KatCommand
{
    public static async Task<int> RunAsync(GatewayCommandLine commandLine, TextWriter output, TextWriter error)
    {
        if (commandLine.Arguments is not [var listName, ..] || commandLine.Arguments.Length > 2)
        {
            await error.WriteLineAsync("Usage: gateway kat <list> [user]   (issues a token for the list through the running gateway)");
            return 2;
        }

        var user = commandLine.Arguments.Length > 1 ? commandLine.Arguments[1] : Environment.UserName;
        var builder = GatewayApplication.CreateBuilder(commandLine);
        var (config, errors, _) = GatewayApplication.CompileConfig(builder);
        if (config is null)
        {
            await error.WriteLineAsync($"Configuration is invalid: {errors.Count} error(s); run `gateway validate` to see them.");
            return 1;
        }

        var list = config.Access.Lists.FirstOrDefault(l => l.Name.Equals(listName, StringComparison.OrdinalIgnoreCase));
        if (list?.TokenMapId is not { } mapId)
        {
            await error.WriteLineAsync(list is null
                ? $"There is no access list '{listName}'; lists: {string.Join(", ", config.Access.Lists.Select(l => l.Name))}."
                : $"List '{list.Name}' has no TokenMapId, so tokens cannot be issued for it through the socket.");
            return 1;
        }

        if (config.RuntimeApi.Socket is not { } socket)
        {
            await error.WriteLineAsync("The runtime API socket is turned off (Gateway:RuntimeApi:Socket:Enabled).");
            return 1;
        }

        var token = AccessWriter.NewToken();
        try
        {
            var reply = await SendAsync(socket.Path, $"add map #{mapId} {token} {user}\n");
            if (reply != "\n")
            {
                await error.WriteLineAsync($"The gateway refused the token: {reply.Trim()}");
                return 1;
            }
        }
        catch (SocketException e)
        {
            await error.WriteLineAsync($"Cannot reach the gateway's runtime socket {socket.Path} ({e.Message}); is the gateway running?");
            return 1;
        }

        await output.WriteLineAsync($"Token for list {list.Name} (user {user}), valid {Configuration.Duration.Format(config.Access.TokenLifetime)}, single use:");
        await output.WriteLineAsync(RedemptionUrls.For(list.Name, null, token, config) ?? token);
        return 0;
    }

    private static async Task<string> SendAsync(string path, string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        await socket.SendAsync(Encoding.ASCII.GetBytes(command));
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return reply.ToString();
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Hosting;

namespace Gateway.RuntimeApi;

/// <summary>Validates <c>Gateway:RuntimeApi</c>, reporting every error with its key and the fix.</summary>
internal static class RuntimeApiCompiler
{
    private const string Key = "Gateway:RuntimeApi";

    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    public static RuntimeApiConfig Compile(RuntimeApiOptions options, string? stateDirectory, IReadOnlyList<ListenerDefinition> listeners, ConfigErrors errors)
    {
        var timeout = Duration.Parse(options.Timeout, TimeSpan.FromSeconds(10), Key + ":Timeout", errors, TimeSpan.FromMilliseconds(100));
        if (options.MaxConnections is < 1)
        {
            errors.Add(Key + ":MaxConnections", $"{options.MaxConnections} is too small; use 1 or more (default 100).");
        }

        return new RuntimeApiConfig
        {
            Socket = options.Socket.Enabled == false || stateDirectory is null ? null : CompileSocket(options.Socket, stateDirectory, errors),
            Tcp = options.Tcp.Port is null ? null : CompileTcp(options.Tcp, listeners, errors),
            Timeout = timeout,
            MaxConnections = options.MaxConnections ?? 100,
        };
    }

    private static UnixSocketDefinition? CompileSocket(RuntimeApiSocketOptions socket, string stateDirectory, ConfigErrors errors)
    {
        const string key = Key + ":Socket";
        var before = errors.All.Count;
        var path = Path.GetFullPath(socket.Path ?? "admin.sock", stateDirectory);
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxSocketPathBytes)
        {
            errors.Add(key + ":Path", $"'{path}' is {bytes} bytes long; a Unix socket path holds at most {MaxSocketPathBytes}: choose a shorter path.");
        }

        var mode = ParseMode(socket.Mode ?? "600", key + ":Mode", errors);
        int? uid = null;
        int? gid = null;
        if (socket.User is { } user)
        {
            if (UnixAccounts.TryGetUid(user, out var id))
            {
                uid = id;
            }
            else
            {
                errors.Add(key + ":User", $"'{user}' is not a user on this system; give a user name or a numeric uid.");
            }
        }

        if (socket.Group is { } group)
        {
            if (UnixAccounts.TryGetGid(group, out var id))
            {
                gid = id;
            }
            else
            {
                errors.Add(key + ":Group", $"'{group}' is not a group on this system; give a group name or a numeric gid.");
            }
        }

        var level = ParseLevel(socket.Level, CliLevel.Admin, key + ":Level", errors);
        return errors.All.Count == before ? new UnixSocketDefinition(path, mode, uid, gid, level) : null;
    }

    private static TcpSocketDefinition? CompileTcp(RuntimeApiTcpOptions tcp, IReadOnlyList<ListenerDefinition> listeners, ConfigErrors errors)
    {
        const string key = Key + ":Tcp";
        var before = errors.All.Count;
        var text = tcp.Address?.Trim() ?? "127.0.0.1";
        IPAddress? address = null;
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(text.Trim('[', ']'), out address))
        {
            errors.Add(key + ":Address", $"'{text}' is not an IP address; use 127.0.0.1 (the default), ::1, or an address of this host.");
        }

        var port = tcp.Port!.Value;
        if (port is < 0 or > 65535)
        {
            errors.Add(key + ":Port", $"{port} is not a TCP port; use 1-65535 (0 picks a free port).");
        }
        else if (port != 0 && listeners.FirstOrDefault(l => l.Port == port) is { } clash)
        {
            errors.Add(key + ":Port", $"{port} is already the port of {(clash.Kind == ListenerKind.Management ? "the management listener" : $"listener '{clash.Name}'")}; give the runtime API its own port.");
        }

        var level = ParseLevel(tcp.Level, CliLevel.Operator, key + ":Level", errors);
        return errors.All.Count == before ? new TcpSocketDefinition(new IPEndPoint(address!, port), level) : null;
    }

    public static CliLevel ParseLevel(string? text, CliLevel fallback, string key, ConfigErrors errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null:
                return fallback;
            case "user":
                return CliLevel.User;
            case "operator":
                return CliLevel.Operator;
            case "admin":
                return CliLevel.Admin;
            default:
                errors.Add(key, $"'{text}' is not a level; use user (read only), operator (lists and maps) or admin (everything).");
                return fallback;
        }
    }

    private static UnixFileMode ParseMode(string text, string key, ConfigErrors errors)
    {
        var digits = text.Trim();
        if (digits.Length is 3 or 4 && digits.All(c => c is >= '0' and <= '7') &&
            int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            var mode = Convert.ToInt32(digits, 8);
            if (mode <= 0x1FF)
            {
                return (UnixFileMode)mode;
            }
        }

        errors.Add(key, $"'{text}' is not an octal file mode such as 600 (owner only) or 660 (owner and group).");
        return UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }
}

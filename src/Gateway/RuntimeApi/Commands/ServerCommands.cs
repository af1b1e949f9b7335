using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Routing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// The server family: clusters as HAProxy backends, destinations as servers. <c>disable</c>/<c>enable server</c> and
/// <c>set server ... state</c> take a destination out of (or back into) YARP's load balancing at once; they need admin.
/// </summary>
internal sealed partial class ServerCommands(
    GatewayConfigManager config, DestinationAdminStates admin, IProxyStateLookup proxy, TimeProvider time, ILogger<ServerCommands> logger) : ICliCommandFamily
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public IEnumerable<CliCommand> Commands =>
    [
        new("disable server", "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)", CliLevel.Admin, Disable),
        new("enable server", "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)", CliLevel.Admin, Enable),
        new("set server", "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl", CliLevel.Admin, Set),
        new("show backend", "show backend                            : list backends in the current running config", CliLevel.User, ShowBackends),
        new("show servers state", "show servers state [<backend>]          : dump volatile server information (all or for a single backend)", CliLevel.User, ShowState),
    ];

    private ValueTask Disable(CliContext context, CliArgs args) => Change(context, args[2], AdminState.Maint);

    private ValueTask Enable(CliContext context, CliArgs args) => Change(context, args[2], AdminState.Ready);

    private ValueTask Set(CliContext context, CliArgs args)
    {
        if (!TryFind(context, args[2], out var cluster, out var destination))
        {
            return ValueTask.CompletedTask;
        }

        if (args[3] != "state")
        {
            context.Reply(Replies.SetServerUsage);
            return ValueTask.CompletedTask;
        }

        AdminState? state = args[4] switch
        {
            "ready" => AdminState.Ready,
            "drain" => AdminState.Drain,
            "maint" => AdminState.Maint,
            _ => null,
        };
        if (state is null)
        {
            context.Reply(Replies.SetServerStateUsage);
            return ValueTask.CompletedTask;
        }

        Apply(context, cluster, destination, state.Value);
        return ValueTask.CompletedTask;
    }

    private ValueTask Change(CliContext context, string word, AdminState state)
    {
        if (TryFind(context, word, out var cluster, out var destination))
        {
            Apply(context, cluster, destination, state);
        }

        return ValueTask.CompletedTask;
    }

    private void Apply(CliContext context, string cluster, string destination, AdminState state)
    {
        admin.Set(cluster, destination, state);
        Log.StateSet(logger, context.Actor, cluster, destination, state.ToString().ToLowerInvariant());
    }

    private bool TryFind(CliContext context, string word, out string cluster, out string destination)
    {
        cluster = destination = string.Empty;
        var slash = word.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || slash == word.Length - 1)
        {
            context.Reply(Replies.RequireBackendServer);
            return false;
        }

        var view = new ProxyView(config.Current);
        var backend = view.FindBackend(word[..slash]);
        if (backend < 0)
        {
            context.Reply(Replies.NoSuchBackend);
            return false;
        }

        var definition = view.Backends[backend];
        var server = ProxyView.FindServer(definition, word[(slash + 1)..]);
        if (server < 0)
        {
            context.Reply(Replies.NoSuchServer);
            return false;
        }

        (cluster, destination) = (definition.Id, definition.Destinations[server].Name);
        return true;
    }

    private ValueTask ShowBackends(CliContext context, CliArgs args)
    {
        context.Reply(Replies.BackendHeader);
        foreach (var backend in new ProxyView(config.Current).Backends)
        {
            context.Reply(backend.Id + "\n");
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask ShowState(CliContext context, CliArgs args)
    {
        var view = new ProxyView(config.Current);
        var only = args[3].Length == 0 ? -1 : view.FindBackend(args[3]);
        if (args[3].Length > 0 && only < 0)
        {
            context.Reply(Replies.CannotFindBackend);
            return ValueTask.CompletedTask;
        }

        var text = new StringBuilder(Replies.ServersStateHeader);
        var now = time.GetUtcNow();
        for (var b = 0; b < view.Backends.Count; b++)
        {
            if (only >= 0 && b != only)
            {
                continue;
            }

            var cluster = view.Backends[b];
            for (var s = 0; s < cluster.Destinations.Length; s++)
            {
                var destination = cluster.Destinations[s];
                AppendState(text, view.BackendId(b), cluster, s, destination, ServerStatus.Of(cluster, destination, proxy, admin), now);
            }
        }

        context.Reply(text.ToString());
        return ValueTask.CompletedTask;
    }

    private void AppendState(StringBuilder text, int backendId, ClusterDefinition cluster, int index, DestinationDefinition destination, ServerStatus status, DateTimeOffset now)
    {
        var host = destination.Address.Host.Trim('[', ']');
        var isAddress = IPAddress.TryParse(host, out _);
        var (checkStatus, checkResult, checkHealth) = CheckFields(cluster, status);
        var since = (long)(now - (status.AdminChangedAt ?? _started)).TotalSeconds;
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"{backendId} {cluster.Id} {index + 1} {destination.Name} {(isAddress ? host : "-")} {(status.Admin == AdminState.Maint || status.IsDown ? 0 : 2)} ")
            .Append(invariant, $"{(status.Admin == AdminState.Maint ? 1 : status.Admin == AdminState.Drain ? 8 : 0)} 1 1 {since} {checkStatus} {checkResult} {checkHealth} ")
            .Append(invariant, $"{(status.Checked ? 6 : 0)} 0 0 0 {(isAddress ? "-" : host)} {destination.Address.Port} - {(destination.Address.Scheme == "https" ? 1 : 0)} 0 - - 0\n");
    }

    /// <summary>HAProxy's check status, result and health counter for a destination.</summary>
    internal static (int Status, int Result, int Health) CheckFields(ClusterDefinition cluster, ServerStatus status)
    {
        if (cluster.ActiveHealthCheck is not { } check)
        {
            // No check: "initialising", health at "rise" until an operator changes the state, as HAProxy shows it.
            return (1, 0, status.AdminChangedAt is null ? 2 : 0);
        }

        return status.Active switch
        {
            DestinationHealth.Healthy when !status.IsDown => (15, 3, 2 + check.Fall - 1),
            DestinationHealth.Unknown when !status.IsDown => (1, 0, 2),
            _ => (17, 2, 0),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Observability.EventIds.RuntimeApiServerState, LogLevel.Information, "Audit: {Actor} set destination {Cluster}/{Destination} to {State}.")]
        public static partial void StateSet(ILogger logger, string actor, string cluster, string destination, string state);
    }
}

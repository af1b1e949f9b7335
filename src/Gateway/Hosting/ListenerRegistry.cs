using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Hosting;

/// <summary>The listeners bound by this process, with the port each really got (port 0 picks a free one).</summary>
internal sealed class ListenerRegistry
{
    private readonly ConcurrentDictionary<string, List<ListenOptions>> _bound = new(StringComparer.OrdinalIgnoreCase);

    public void Add(string name, ListenOptions options) =>
        _bound.GetOrAdd(name, _ => []).Add(options);

    /// <summary>The first bound endpoint of the listener (valid once the server has started).</summary>
    public IPEndPoint EndPointOf(string name) =>
        _bound.TryGetValue(name, out var list) && list.Count > 0
            ? list[0].IPEndPoint ?? throw new InvalidOperationException($"Listener '{name}' is not an IP listener.")
            : throw new KeyNotFoundException($"No listener named '{name}'.");

    public IEnumerable<(string Name, IPEndPoint EndPoint)> All =>
        _bound.SelectMany(pair => pair.Value.Where(o => o.IPEndPoint is not null).Select(o => (pair.Key, o.IPEndPoint!)));
}

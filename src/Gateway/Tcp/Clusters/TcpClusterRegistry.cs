using System.Collections.Frozen;
using System.Collections.Immutable;
using Gateway.Configuration;

namespace Gateway.Tcp.Clusters;

/// <summary>
/// The live state of every TCP cluster, following the configuration: on a reload, destinations whose definition is
/// unchanged keep their open-connection counts and health; new ones start healthy; removed ones are forgotten (their
/// open connections finish on their own).
/// </summary>
internal sealed class TcpClusterRegistry : IDisposable
{
    private readonly GatewayConfigManager _config;
    private readonly Lock _applyLock = new();
    private volatile FrozenDictionary<string, TcpClusterState> _clusters = FrozenDictionary<string, TcpClusterState>.Empty;

    public TcpClusterRegistry(GatewayConfigManager config)
    {
        _config = config;
        Apply(config.Current.Tcp);
        config.Changed += OnChanged;
    }

    /// <summary>Raised after the clusters were replaced by a reload.</summary>
    public event Action? Changed;

    public IEnumerable<TcpClusterState> All => _clusters.Values;

    public TcpClusterState? Get(string id) => _clusters.GetValueOrDefault(id);

    public void Dispose() => _config.Changed -= OnChanged;

    private void OnChanged(GatewayConfig previous, GatewayConfig next)
    {
        Apply(next.Tcp);
        Changed?.Invoke();
    }

    private void Apply(TcpSettings settings)
    {
        lock (_applyLock)
        {
            var old = _clusters;
            var result = new Dictionary<string, TcpClusterState>(StringComparer.OrdinalIgnoreCase);
            foreach (var (id, definition) in settings.Clusters)
            {
                var previous = old.GetValueOrDefault(id);
                if (previous is not null && previous.Definition == definition)
                {
                    result[id] = previous;
                    continue;
                }

                var destinations = definition.Destinations
                    .Select(d => previous?.Destinations.FirstOrDefault(p => p.Definition == d) ?? new TcpDestinationState(d))
                    .ToImmutableArray();
                result[id] = new TcpClusterState(definition, destinations);
            }

            _clusters = result.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        }
    }
}

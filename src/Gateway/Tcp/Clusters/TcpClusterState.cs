using System.Collections.Immutable;

namespace Gateway.Tcp.Clusters;

/// <summary>Why no destination could take a connection.</summary>
internal enum NoDestinationReason
{
    None,

    /// <summary>Every destination is down (health checks) or was tried already.</summary>
    AllDown,

    /// <summary>Every healthy destination is at its connection limit.</summary>
    AllFull,
}

/// <summary>A TCP cluster's live state: its destinations and the load balancer's position.</summary>
internal sealed class TcpClusterState(TcpClusterDefinition definition, ImmutableArray<TcpDestinationState> destinations)
{
    private int _next = -1;

    public TcpClusterDefinition Definition { get; } = definition;

    public ImmutableArray<TcpDestinationState> Destinations { get; } = destinations;

    /// <summary>
    /// Picks a healthy destination under its connection limit, not among <paramref name="tried"/>, and counts the
    /// connection in (release it with <see cref="TcpDestinationState.Release"/>). Round robin takes the next one in
    /// turn; leastconn the one with fewest open connections, ties taken in turn.
    /// </summary>
    public TcpDestinationState? Acquire(IReadOnlyCollection<TcpDestinationState>? tried, out NoDestinationReason reason)
    {
        var count = Destinations.Length;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        var sawFull = false;
        for (var attempt = 0; attempt < count; attempt++)
        {
            TcpDestinationState? chosen = null;
            for (var i = 0; i < count; i++)
            {
                var candidate = Destinations[(start + i) % count];
                if (!candidate.Healthy || (tried is not null && tried.Contains(candidate)))
                {
                    continue;
                }

                if (Definition.MaxConnectionsPerDestination is { } limit && candidate.ActiveConnections >= limit)
                {
                    sawFull = true;
                    continue;
                }

                if (Definition.Balancing == TcpBalancing.RoundRobin)
                {
                    chosen = candidate;
                    break;
                }

                if (chosen is null || candidate.ActiveConnections < chosen.ActiveConnections)
                {
                    chosen = candidate;
                }
            }

            if (chosen is null)
            {
                break;
            }

            if (chosen.TryAcquire(Definition.MaxConnectionsPerDestination))
            {
                reason = NoDestinationReason.None;
                return chosen;
            }

            // Another connection took its last slot in between: look again.
            sawFull = true;
        }

        reason = sawFull ? NoDestinationReason.AllFull : NoDestinationReason.AllDown;
        return null;
    }
}

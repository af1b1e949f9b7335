using Gateway.Access;
using Gateway.Access.Tokens;

namespace Gateway.State;

/// <summary>Keeps the access state in memory only: what a restart loses. The durable stores build on this behaviour.</summary>
internal sealed class MemoryAccessStore(AccessState state) : IAccessStore
{
    public ValueTask CommitAsync(AccessChange change, CancellationToken cancellationToken = default)
    {
        change.Apply(state);
        return ValueTask.CompletedTask;
    }

    public ValueTask<Kat?> TakeTokenAsync(TokenMap map, TokenHash hash, string actor, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(map.TryTake(hash, out var kat) ? kat : null);
}

using Gateway.Access;
using Gateway.Access.Tokens;

namespace Gateway.State;

/// <summary>
/// Where access changes go before they are acknowledged. A store makes a change durable (and visible to other
/// replicas, for a shared store) and then applies it to the local <see cref="AccessState"/>; when it cannot, it
/// throws <see cref="StoreUnavailableException"/> and nothing changes.
/// </summary>
internal interface IAccessStore
{
    /// <summary>Records and applies a change.</summary>
    ValueTask CommitAsync(AccessChange change, CancellationToken cancellationToken = default);

    /// <summary>Takes a token out for redemption: across every replica, exactly one caller gets it.</summary>
    ValueTask<Kat?> TakeTokenAsync(TokenMap map, TokenHash hash, string actor, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when the local state can no longer be trusted to reflect revocations (a shared store unreachable past
    /// its grace period): protected routes then refuse rather than decide on old data.
    /// </summary>
    bool IsStale => false;
}

/// <summary>The store cannot take writes now (database unreachable, disk full); the caller reports it and retries later.</summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

using Microsoft.Extensions.Primitives;

namespace Gateway.State.Postgres;

/// <summary>A change token that fires on <see cref="Fire"/> and is replaced by a fresh one for the next change.</summary>
internal sealed class ChangeSignal
{
    private CancellationTokenSource _source = new();

    public IChangeToken Token => new CancellationChangeToken(Volatile.Read(ref _source).Token);

    public void Fire()
    {
        // Not disposed: a token handed out a moment ago may still be registered on.
        Interlocked.Exchange(ref _source, new CancellationTokenSource()).Cancel();
    }
}

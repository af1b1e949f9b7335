namespace Gateway.Observability;

/// <summary>A part of the gateway that can make it not ready (a store that cannot write, say); null when all is well.</summary>
internal interface IReadinessCheck
{
    string? Problem { get; }
}

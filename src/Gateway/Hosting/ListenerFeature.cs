namespace Gateway.Hosting;

/// <summary>
/// Set on every connection by the listener that accepted it, so that a request knows which listener it came in on
/// without trusting anything the client sent (the Host header says nothing about the socket).
/// </summary>
internal sealed class ListenerFeature(ListenerDefinition listener)
{
    public ListenerDefinition Listener { get; } = listener;
}

/// <summary>Endpoint metadata: the endpoint is served only on listeners of this kind.</summary>
internal sealed class ListenerScopeMetadata(ListenerKind kind)
{
    public ListenerKind Kind { get; } = kind;
}

using System.Diagnostics.Metrics;
using Gateway.Observability;

namespace Gateway.Access;

/// <summary>
/// The access capability's instruments: the size of each access list, of each token map and of its sessions (read
/// from the live state when scraped), and KAT redemptions, counted by list, and refusals by list and reason. Tag
/// values are list names and reason names only, never an IP or a token.
/// </summary>
internal sealed class AccessMetrics : ICapabilityMetrics
{
    private readonly Counter<long> _redemptions;
    private readonly Counter<long> _failures;

    public AccessMetrics(GatewayMetrics metrics, AccessState state)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge(
            "gateway.access_list.entries", () => state.Lists.Select(l => Measure(l.Count, l.Name)), "{entry}",
            "Entries per access list, configured and runtime (expired ones until the sweeper removes them).");
        meter.CreateObservableGauge(
            "gateway.kat.tokens", () => state.Maps.Select(m => Measure(m.Count, m.ListName)), "{token}", "KATs issued and not yet redeemed, per list.");
        meter.CreateObservableGauge(
            "gateway.sessions", () => Sessions(state), "{session}", "Sessions (redeemed KATs) held, per list.");
        _redemptions = meter.CreateCounter<long>("gateway.kat.redemptions", "{redemption}", "KATs redeemed for a session, per list.");
        _failures = meter.CreateCounter<long>(
            "gateway.kat.redemption_failures", "{redemption}",
            "KAT redemptions refused, per list and reason: kat-unknown, kat-expired, kat-other-ip, state-unavailable...");
    }

    public void Redeemed(string list) => _redemptions.Add(1, new KeyValuePair<string, object?>("list", list));

    /// <summary>A refused redemption; <paramref name="list"/> is null when the token matched no list.</summary>
    public void RedemptionFailed(string? list, AccessReason reason) =>
        _failures.Add(1, new KeyValuePair<string, object?>("list", list ?? "-"), new KeyValuePair<string, object?>("reason", reason.Name()));

    private static Measurement<int> Measure(int value, string list) => new(value, new KeyValuePair<string, object?>("list", list));

    private static IEnumerable<Measurement<int>> Sessions(AccessState state)
    {
        var counts = state.Maps.ToDictionary(m => m.ListName, _ => 0, StringComparer.OrdinalIgnoreCase);
        foreach (var session in state.Sessions.All)
        {
            if (counts.TryGetValue(session.ListName, out var count))
            {
                counts[session.ListName] = count + 1;
            }
        }

        return counts.Select(c => Measure(c.Value, c.Key));
    }
}

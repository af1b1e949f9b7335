namespace Gateway.Access;

/// <summary>
/// The access decision recorded on a request (as a feature) for logs and later steps. One instance per route policy
/// and reason is built with the policy, so recording a decision allocates nothing; the session, when there is one,
/// is recorded as its own feature.
/// </summary>
internal sealed class AccessDecision(string policyName, string? list, AccessReason reason)
{
    public static readonly AccessDecision NoPolicy = new("none", null, AccessReason.NoPolicy);

    public string PolicyName { get; } = policyName;

    public string? List { get; } = list;

    public AccessReason Reason { get; } = reason;

    public bool Allowed => Reason is AccessReason.Allowed or AccessReason.NoPolicy;
}

namespace Gateway.RuntimeApi.Commands;

/// <summary>Where <c>@&lt;ver&gt;</c> points, relative to a list's or map's current and latest prepared version.</summary>
internal enum VersionKind
{
    /// <summary>The version being matched against: changes are visible at once.</summary>
    Current,

    /// <summary>Beyond the latest <c>prepare</c>: refused.</summary>
    Future,

    /// <summary>Prepared (or older): changes stay invisible until <c>commit</c>, and vanish if a newer version is committed.</summary>
    Other,
}

/// <summary>HAProxy's version arithmetic: unsigned 32-bit numbers compared across the wrap-around.</summary>
internal static class Versions
{
    public static VersionKind Classify(uint version, int current, int next) =>
        version == (uint)current ? VersionKind.Current
        : unchecked((int)(version - (uint)next)) > 0 ? VersionKind.Future
        : VersionKind.Other;

    /// <summary><c>commit</c> takes a version after the current one, up to the latest prepared.</summary>
    public static bool CanCommit(uint version, int current, int next) =>
        unchecked((int)(version - (uint)current)) > 0 && unchecked((int)(version - (uint)next)) <= 0;
}

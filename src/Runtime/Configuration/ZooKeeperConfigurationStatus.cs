namespace ZkTypedState.Configuration;

/// <summary>Where the provider's keys stand.</summary>
public enum ZooKeeperConfigurationState
{
    /// <summary>No load has completed yet (the server has not answered; an optional provider serves no keys meanwhile).</summary>
    Loading,

    /// <summary>Every subtree was read in the current session and watches are armed: the keys are current.</summary>
    Current,

    /// <summary>The connection is lost; the session may still be alive. The last keys are served (stale).</summary>
    Disconnected,

    /// <summary>
    /// The session is lost. Under <see cref="SessionLossPolicy.InvalidateAndRebuild"/> no keys are served; under
    /// <see cref="SessionLossPolicy.ServeStaleAndRebuild"/> the last keys are served (stale). Until re-read in a new session.
    /// </summary>
    SessionLost,

    /// <summary>The last re-read failed for a reason other than the connection (see <see cref="ZooKeeperConfigurationStatus.Error"/>); the last keys are served.</summary>
    Faulted,

    /// <summary>The provider was disposed.</summary>
    Disposed,
}

/// <summary>Two nodes (or JSON members) that map to the same key, which configuration compares case-insensitively.</summary>
/// <param name="Key">The key.</param>
/// <param name="Served">Where the served value comes from: the ordinally first path (JSON members: the first in the document).</param>
/// <param name="Ignored">Where the ignored value would have come from.</param>
public sealed record ZooKeeperConfigurationConflict(string Key, string Served, string Ignored);

/// <summary>A node whose payload could not be mapped: its last good keys (if any) are kept.</summary>
/// <param name="Path">The node.</param>
/// <param name="Message">Why (invalid UTF-8, malformed JSON).</param>
public sealed record ZooKeeperConfigurationPayloadError(string Path, string Message);

/// <summary>A snapshot of the provider's state, replaced (never mutated) whenever it changes.</summary>
/// <param name="State">Where the keys stand.</param>
/// <param name="KeyCount">How many keys are served.</param>
/// <param name="LoadedAt">When the keys were last re-read in full or in part (null before the first load).</param>
/// <param name="Conflicts">Keys given by more than one node; the ignored one is named.</param>
/// <param name="PayloadErrors">Nodes whose payload is kept at its last good value.</param>
/// <param name="Error">Why the last load failed, when it did.</param>
public sealed record ZooKeeperConfigurationStatus(
    ZooKeeperConfigurationState State,
    int KeyCount,
    DateTimeOffset? LoadedAt,
    IReadOnlyList<ZooKeeperConfigurationConflict> Conflicts,
    IReadOnlyList<ZooKeeperConfigurationPayloadError> PayloadErrors,
    Exception? Error)
{
    /// <summary>True when the served keys may be out of date: not <see cref="ZooKeeperConfigurationState.Current"/> while keys are served.</summary>
    public bool IsStale => State != ZooKeeperConfigurationState.Current && KeyCount > 0;

    internal static ZooKeeperConfigurationStatus Initial { get; } = new(ZooKeeperConfigurationState.Loading, 0, null, [], [], null);
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// One immutable observation of a bound node. Published atomically: readers get a consistent value, status and
/// metadata without locks.
/// </summary>
/// <typeparam name="T">The bound type.</typeparam>
/// <param name="Value">The value (the type's default while loading, missing or invalidated with no value kept).</param>
/// <param name="Status">How far the value can be trusted.</param>
/// <param name="Stat">The metadata of the version <see cref="Value"/> came from; null when the value is a default (missing, not read yet, invalidated, or faulted with no good value).</param>
/// <param name="ObservedZxid">The zxid at which this state was observed (the read's reply zxid): compare across values for monotonic reads.</param>
/// <param name="SessionEpoch">Which session (1 for the first, +1 after every session loss) the state was read in.</param>
/// <param name="Error">Why the node is faulted (parse or validation failure of the version in <see cref="RejectedStat"/>), or what invalidated it.</param>
public sealed record ZNodeSnapshot<T>(T Value, ZNodeStatus Status, Stat? Stat, long ObservedZxid, long SessionEpoch, Exception? Error)
{
    /// <summary>The runtime's session-loss generation this snapshot belongs to: once a loss is known, snapshots of older generations are never served as they are.</summary>
    internal int LossGeneration { get; init; }

    /// <summary>
    /// For <see cref="ZNodeStatus.Faulted"/>: the metadata of the rejected version (its mzxid is newer than
    /// <see cref="Stat"/>'s, which stays that of the value served); null otherwise.
    /// </summary>
    public Stat? RejectedStat { get; init; }

    /// <summary>
    /// The node's data that <see cref="Value"/> was decoded from, exactly as read (no copy is made, so reading it costs
    /// nothing); empty when the value is a default (missing, not read yet, invalidated, or faulted with no good value) —
    /// and for a node whose data is empty. Under <see cref="ZNodeStatus.Faulted"/> it is still the last good data; the
    /// rejected data is <see cref="RejectedPayload"/>.
    /// </summary>
    public ReadOnlyMemory<byte> RawPayload { get; init; }

    /// <summary>
    /// For <see cref="ZNodeStatus.Faulted"/> by a bad payload: the rejected data, exactly as read (the version in
    /// <see cref="RejectedStat"/>); empty otherwise, and for a fault that is no payload's (a failed read).
    /// </summary>
    public ReadOnlyMemory<byte> RejectedPayload { get; init; }

    /// <summary>The zxid of the data the value came from (<see cref="Stat"/>'s mzxid), or 0.</summary>
    public long Mzxid => Stat?.Mzxid ?? 0;

    /// <summary>True when the value may be served as current (<see cref="ZNodeStatus.Fresh"/> or <see cref="ZNodeStatus.Missing"/>).</summary>
    public bool IsCurrent => Status is ZNodeStatus.Fresh or ZNodeStatus.Missing;
}

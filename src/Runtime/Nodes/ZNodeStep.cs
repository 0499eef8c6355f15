namespace ZkTypedState;

/// <summary>What the I/O side must do about reading after a state-machine step.</summary>
internal enum ReadCommand
{
    /// <summary>Nothing: no read is needed, or the one in flight covers it.</summary>
    None,

    /// <summary>Issue a read (start a read loop, or continue the current one) now.</summary>
    Start,

    /// <summary>Read again after <see cref="ZNodeStateMachine{T}.Backoff"/>: the last answer was older than what is held.</summary>
    StartAfterBackoff,
}

/// <summary>Identifies one read: the session epoch and the connection it was issued on.</summary>
/// <param name="Epoch">The session epoch the read belongs to (0 = none).</param>
/// <param name="Connection">How many disconnections the node had seen when the read was issued.</param>
internal readonly record struct ReadTicket(long Epoch, long Connection);

/// <summary>
/// The outcome of one input to <see cref="ZNodeStateMachine{T}"/>: the snapshot now published, the notifications to
/// post (in this order, while still holding the node's lock, so they are delivered in the order the state changed),
/// and what to do about reading.
/// </summary>
internal readonly record struct ZNodeStep<T>(
    ZNodeSnapshot<T> Snapshot,
    ZNodeChange<T>? Change,
    ZNodeSignal<T>? Signal,
    ReadCommand Read,
    bool Applied = false,
    ZNodePayloadException? Rejected = null)
{
    /// <summary>True when there is something to notify.</summary>
    public bool Notifies => Change is not null || Signal is not null;
}

/// <summary>The result of parsing a payload: a value, or why it was rejected.</summary>
internal readonly record struct ParseResult<T>(T Value, ZNodePayloadException? Error);

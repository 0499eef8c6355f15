using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>What happened to the application's ZooKeeper session.</summary>
public enum SessionEventKind
{
    /// <summary>A session was established (the first, or a new one after a loss). Everything must be (re)read in it.</summary>
    Established,

    /// <summary>The connection was lost; the session may still be alive. Cached values are stale.</summary>
    Disconnected,

    /// <summary>The same session was re-attached and its watches re-registered: catch-up events for changes made while away were delivered before this.</summary>
    Reconnected,

    /// <summary>The session is lost (presumed expired, expired, or authentication failed): every cached value, watch and ephemeral node of it is gone.</summary>
    Lost,

    /// <summary>The session owner was disposed.</summary>
    Closed,
}

/// <summary>A change of the application's session, delivered in order on the session's serialized executor.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Epoch">The session's epoch: 1 for the first session, +1 for each new one after a loss.</param>
/// <param name="SessionId">The ZooKeeper session id.</param>
/// <param name="ClientState">The client state that caused the event.</param>
/// <param name="Client">The client of that session.</param>
/// <param name="Reason">What caused a loss or disconnection, when known.</param>
/// <param name="Restored">For <see cref="SessionEventKind.Reconnected"/>: what was re-registered.</param>
public sealed record SessionEvent(SessionEventKind Kind, long Epoch, long SessionId, ZooKeeperState ClientState, ZooKeeperClient Client, Exception? Reason, WatchesRestored? Restored)
{
    /// <summary>
    /// For <see cref="SessionEventKind.Established"/>: the session owner knowingly started this session from zxid 0
    /// (every server refused the lastZxidSeen carried over, so the ensemble was rebuilt from scratch). zxids of the
    /// new lineage are not comparable with older ones: bound values forget their high-water marks.
    /// </summary>
    public bool ZxidLineageReset { get; init; }
}

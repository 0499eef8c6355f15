namespace ZkTypedState;

/// <summary>How far a bound value can be trusted.</summary>
public enum ZNodeStatus
{
    /// <summary>Not read yet (in this session): <see cref="ZNodeSnapshot{T}.Value"/> is the default and must not be trusted.</summary>
    Loading,

    /// <summary>Read in the current session, connected, watched: as current as ZooKeeper's own reads.</summary>
    Fresh,

    /// <summary>The last value read, served while disconnected (ZooKeeper's own semantics); it may be behind.</summary>
    Stale,

    /// <summary>The node does not exist: the value is the type's default.</summary>
    Missing,

    /// <summary>The node's payload failed to parse or validate: the last good value is kept and <see cref="ZNodeSnapshot{T}.Error"/> says why.</summary>
    Faulted,

    /// <summary>The session was lost: no value of the old session is served as current until re-read in the new one.</summary>
    Invalidated,
}

namespace ZkTypedState.Testing;

/// <summary>The <c>Mode:</c> a ZooKeeper server reports through the <c>srvr</c> four-letter word.</summary>
public enum ZooKeeperServerMode
{
    /// <summary>No mode reported: the server is unreachable or not serving requests (for example during leader election).</summary>
    NotServing,

    /// <summary><c>Mode: standalone</c>.</summary>
    Standalone,

    /// <summary><c>Mode: leader</c>.</summary>
    Leader,

    /// <summary><c>Mode: follower</c>.</summary>
    Follower,

    /// <summary><c>Mode: observer</c>.</summary>
    Observer,

    /// <summary><c>Mode: read-only</c> (a partitioned member with read-only mode enabled).</summary>
    ReadOnly,
}

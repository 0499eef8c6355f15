namespace ZkTypedState.Client;

/// <summary>ZooKeeper error codes (KeeperException.Code), as carried in reply headers and multi results.</summary>
public enum ZooKeeperErrorCode
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>System error range marker.</summary>
    SystemError = -1,

    /// <summary>A multi operation after the one that failed.</summary>
    RuntimeInconsistency = -2,

    /// <summary>Data inconsistency.</summary>
    DataInconsistency = -3,

    /// <summary>The connection was lost before the reply arrived: the outcome of a write is unknown.</summary>
    ConnectionLoss = -4,

    /// <summary>The server could not parse the request.</summary>
    MarshallingError = -5,

    /// <summary>The server does not implement the operation (or TTL nodes are disabled).</summary>
    Unimplemented = -6,

    /// <summary>Operation timeout.</summary>
    OperationTimeout = -7,

    /// <summary>Invalid arguments (path, flags, TTL).</summary>
    BadArguments = -8,

    /// <summary>Unknown session (server internal).</summary>
    UnknownSession = -12,

    /// <summary>Reconfig: no quorum for the new config.</summary>
    NewConfigNoQuorum = -13,

    /// <summary>Reconfig already in progress.</summary>
    ReconfigInProgress = -14,

    /// <summary>API error range marker.</summary>
    ApiError = -100,

    /// <summary>The node does not exist.</summary>
    NoNode = -101,

    /// <summary>Not authorized.</summary>
    NoAuth = -102,

    /// <summary>The expected version does not match.</summary>
    BadVersion = -103,

    /// <summary>Ephemeral nodes cannot have children.</summary>
    NoChildrenForEphemerals = -108,

    /// <summary>The node already exists.</summary>
    NodeExists = -110,

    /// <summary>The node has children.</summary>
    NotEmpty = -111,

    /// <summary>The session has expired.</summary>
    SessionExpired = -112,

    /// <summary>Invalid callback.</summary>
    InvalidCallback = -113,

    /// <summary>Invalid ACL.</summary>
    InvalidAcl = -114,

    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,

    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,

    /// <summary>A write was sent to a read-only server.</summary>
    NotReadOnly = -119,

    /// <summary>Ephemeral node on a local session.</summary>
    EphemeralOnLocalSession = -120,

    /// <summary>No watcher to check or remove.</summary>
    NoWatcher = -121,

    /// <summary>Request timed out.</summary>
    RequestTimeout = -122,

    /// <summary>Reconfig is disabled.</summary>
    ReconfigDisabled = -123,

    /// <summary>
    /// The server requires authentication (enforce.auth, or SASL) that this connection did not give; it closes the
    /// connection after this answer (see <see cref="SessionClosedRequireAuthException"/>).
    /// </summary>
    SessionClosedRequireSaslAuth = -124,

    /// <summary>A hard quota was exceeded.</summary>
    QuotaExceeded = -125,

    /// <summary>The server is overloaded; retry with back-off.</summary>
    ThrottledOp = -127,
}

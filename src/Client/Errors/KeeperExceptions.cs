namespace ZkTypedState.Client;

/// <summary>The node does not exist.</summary>
public sealed class NoNodeException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NoNodeException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NoNode, path, message, inner)
    {
    }
}

/// <summary>The node already exists.</summary>
public sealed class NodeExistsException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NodeExistsException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NodeExists, path, message, inner)
    {
    }
}

/// <summary>The expected version did not match the node's version.</summary>
public sealed class BadVersionException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public BadVersionException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.BadVersion, path, message, inner)
    {
    }
}

/// <summary>The node has children and cannot be deleted.</summary>
public sealed class NotEmptyException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NotEmptyException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NotEmpty, path, message, inner)
    {
    }
}

/// <summary>The connection's identities are not allowed to do this (see the node's ACL).</summary>
public sealed class NoAuthException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NoAuthException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NoAuth, path, message, inner)
    {
    }
}

/// <summary>The connection was lost before the reply arrived. For a write the outcome is unknown: it may have been applied. Retrying is the caller's choice.</summary>
public sealed class ConnectionLossException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ConnectionLossException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.ConnectionLoss, path, message, inner)
    {
    }
}

/// <summary>The session has expired (or was closed): its ephemeral nodes and watches are gone. A new client (a new session) is needed.</summary>
public sealed class SessionExpiredException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SessionExpiredException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.SessionExpired, path, message, inner)
    {
    }
}

/// <summary>Authentication failed; the client is finished.</summary>
public sealed class AuthFailedException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public AuthFailedException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.AuthFailed, path, message, inner)
    {
    }
}

/// <summary>
/// The server requires authentication (<c>enforce.auth.enabled</c>, or SASL with <c>sessionRequireClientSASLAuth</c>)
/// and this connection had no accepted credentials of the scheme it enforces, so it answered the first request with
/// error -124 and closed the connection. The client treats it as an authentication failure: it becomes
/// <see cref="ZooKeeperState.AuthFailed"/> (calls then fail with <see cref="AuthFailedException"/>, whose inner exception
/// is this one).
/// </summary>
public sealed class SessionClosedRequireAuthException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SessionClosedRequireAuthException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.SessionClosedRequireSaslAuth, path, message, inner)
    {
    }
}

/// <summary>The server rejected the arguments (path, flags or TTL).</summary>
public sealed class BadArgumentsException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public BadArgumentsException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.BadArguments, path, message, inner)
    {
    }
}

/// <summary>Ephemeral nodes cannot have children.</summary>
public sealed class NoChildrenForEphemeralsException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NoChildrenForEphemeralsException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NoChildrenForEphemerals, path, message, inner)
    {
    }
}

/// <summary>The ACL is invalid.</summary>
public sealed class InvalidAclException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public InvalidAclException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.InvalidAcl, path, message, inner)
    {
    }
}

/// <summary>There is no such watch to check or remove.</summary>
public sealed class NoWatcherException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NoWatcherException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NoWatcher, path, message, inner)
    {
    }
}

/// <summary>The server does not implement the operation (TTL nodes need zookeeper.extendedTypesEnabled).</summary>
public sealed class UnimplementedException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public UnimplementedException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.Unimplemented, path, message, inner)
    {
    }
}

/// <summary>The server could not parse the request.</summary>
public sealed class MarshallingErrorException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public MarshallingErrorException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.MarshallingError, path, message, inner)
    {
    }
}

/// <summary>The session moved to another server.</summary>
public sealed class SessionMovedException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public SessionMovedException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.SessionMoved, path, message, inner)
    {
    }
}

/// <summary>A write was sent to a read-only server.</summary>
public sealed class NotReadOnlyException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public NotReadOnlyException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.NotReadOnly, path, message, inner)
    {
    }
}

/// <summary>A multi operation was not applied because an earlier operation of the same multi failed.</summary>
public sealed class RuntimeInconsistencyException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public RuntimeInconsistencyException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.RuntimeInconsistency, path, message, inner)
    {
    }
}

/// <summary>The operation timed out: the server said so (code -7), or the call waited longer than <see cref="ZooKeeperClientOptions.OperationTimeout"/>.</summary>
public sealed class OperationTimeoutException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public OperationTimeoutException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.OperationTimeout, path, message, inner)
    {
    }
}

/// <summary>The request timed out.</summary>
public sealed class RequestTimeoutException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public RequestTimeoutException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.RequestTimeout, path, message, inner)
    {
    }
}

/// <summary>A hard quota was exceeded.</summary>
public sealed class QuotaExceededException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public QuotaExceededException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.QuotaExceeded, path, message, inner)
    {
    }
}

/// <summary>The server is overloaded and throttled the request; retry with back-off.</summary>
public sealed class ThrottledOpException : KeeperException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ThrottledOpException(string? path = null, string? message = null, Exception? inner = null)
        : base(ZooKeeperErrorCode.ThrottledOp, path, message, inner)
    {
    }
}

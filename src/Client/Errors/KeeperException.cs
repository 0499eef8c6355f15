namespace ZkTypedState.Client;

/// <summary>
/// A ZooKeeper error. Each error code has its own subclass (<see cref="NoNodeException"/>,
/// <see cref="BadVersionException"/>, …) so callers can catch exactly what they handle.
/// </summary>
public class KeeperException : Exception
{
    /// <summary>Creates an exception for a code and optional path.</summary>
    public KeeperException(ZooKeeperErrorCode code, string? path = null, string? message = null, Exception? inner = null)
        : base(message ?? DefaultMessage(code, path), inner)
    {
        Code = code;
        Path = path;
    }

    /// <summary>The ZooKeeper error code.</summary>
    public ZooKeeperErrorCode Code { get; }

    /// <summary>The path the failed operation was about, when there is one.</summary>
    public string? Path { get; }

    /// <summary>For a failed multi: the per-operation results (the failing one holds its own code, those after it RuntimeInconsistency).</summary>
    public IReadOnlyList<OpResult>? Results { get; internal set; }

    /// <summary>Creates the subclass that matches <paramref name="code"/>.</summary>
    public static KeeperException Create(ZooKeeperErrorCode code, string? path = null, string? message = null) => code switch
    {
        ZooKeeperErrorCode.NoNode => new NoNodeException(path, message),
        ZooKeeperErrorCode.NodeExists => new NodeExistsException(path, message),
        ZooKeeperErrorCode.BadVersion => new BadVersionException(path, message),
        ZooKeeperErrorCode.NotEmpty => new NotEmptyException(path, message),
        ZooKeeperErrorCode.NoAuth => new NoAuthException(path, message),
        ZooKeeperErrorCode.ConnectionLoss => new ConnectionLossException(path, message),
        ZooKeeperErrorCode.SessionExpired => new SessionExpiredException(path, message),
        ZooKeeperErrorCode.AuthFailed => new AuthFailedException(path, message),
        ZooKeeperErrorCode.SessionClosedRequireSaslAuth => new SessionClosedRequireAuthException(path, message),
        ZooKeeperErrorCode.BadArguments => new BadArgumentsException(path, message),
        ZooKeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, message),
        ZooKeeperErrorCode.InvalidAcl => new InvalidAclException(path, message),
        ZooKeeperErrorCode.NoWatcher => new NoWatcherException(path, message),
        ZooKeeperErrorCode.Unimplemented => new UnimplementedException(path, message),
        ZooKeeperErrorCode.MarshallingError => new MarshallingErrorException(path, message),
        ZooKeeperErrorCode.SessionMoved => new SessionMovedException(path, message),
        ZooKeeperErrorCode.NotReadOnly => new NotReadOnlyException(path, message),
        ZooKeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path, message),
        ZooKeeperErrorCode.OperationTimeout => new OperationTimeoutException(path, message),
        ZooKeeperErrorCode.RequestTimeout => new RequestTimeoutException(path, message),
        ZooKeeperErrorCode.QuotaExceeded => new QuotaExceededException(path, message),
        ZooKeeperErrorCode.ThrottledOp => new ThrottledOpException(path, message),
        _ => new KeeperException(code, path, message),
    };

    private static string DefaultMessage(ZooKeeperErrorCode code, string? path)
    {
        string name = Enum.IsDefined(code) ? code.ToString() : $"error {(int)code}";
        return path is null ? $"ZooKeeper: {name}" : $"ZooKeeper: {name} for {path}";
    }
}

namespace ZkTypedState.Configuration;

/// <summary>Why a required ZooKeeper configuration provider could not load.</summary>
public enum ZooKeeperConfigurationFailure
{
    /// <summary>No session with the server within the startup timeout (the inner exception is the last connection error).</summary>
    Unreachable,

    /// <summary>A subtree root does not exist.</summary>
    RootMissing,

    /// <summary>The subtrees hold more nodes than <see cref="ZooKeeperConfigurationOptions.MaxNodes"/>.</summary>
    TooManyNodes,

    /// <summary>The server refused the request (e.g. no read permission, or AddWatch unsupported in <see cref="ZooKeeperWatchMode.PersistentRecursive"/> mode).</summary>
    Refused,
}

/// <summary>A required ZooKeeper configuration provider failed its first load (thrown from <c>Build()</c> or <c>AddZooKeeper</c> on a <c>ConfigurationManager</c>).</summary>
public sealed class ZooKeeperConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperConfigurationException(ZooKeeperConfigurationFailure failure, string message, IReadOnlyList<string>? paths = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Paths = paths ?? [];
    }

    /// <summary>What failed.</summary>
    public ZooKeeperConfigurationFailure Failure { get; }

    /// <summary>The subtree roots concerned (for <see cref="ZooKeeperConfigurationFailure.RootMissing"/>: the missing ones).</summary>
    public IReadOnlyList<string> Paths { get; }
}

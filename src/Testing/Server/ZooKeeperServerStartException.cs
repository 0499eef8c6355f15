namespace ZkTypedState.Testing;

/// <summary>
/// Thrown when a ZooKeeper server process does not start serving within
/// <see cref="ZooKeeperTestServerOptions.StartTimeout"/> (or exits while starting). The message ends with
/// the tail of the server's log, which is also available as <see cref="LogTail"/>.
/// </summary>
public sealed class ZooKeeperServerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="logTail">The last lines of the server log.</param>
    public ZooKeeperServerStartException(string message, string logTail)
        : base(string.IsNullOrEmpty(logTail) ? message : message + Environment.NewLine + "--- server log tail ---" + Environment.NewLine + logTail)
    {
        LogTail = logTail;
    }

    /// <summary>The last lines of the server log when the start failed.</summary>
    public string LogTail { get; }
}

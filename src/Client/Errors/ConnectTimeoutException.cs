namespace ZkTypedState.Client;

/// <summary>
/// No session was established within <see cref="ZooKeeperClientOptions.ConnectTimeout"/>. The inner exception is the
/// last connection error (refused, unreachable, handshake timed out…), null if no attempt had finished.
/// </summary>
public sealed class ConnectTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public ConnectTimeoutException(string message, Exception? lastConnectionError)
        : base(message, lastConnectionError)
    {
    }
}

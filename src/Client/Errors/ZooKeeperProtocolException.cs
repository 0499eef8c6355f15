namespace ZkTypedState.Client;

/// <summary>
/// The server sent bytes that break the ZooKeeper wire protocol (a truncated or oversized frame, a record
/// that does not parse, a reply out of order). The client closes that connection; it never trusts the bytes.
/// </summary>
public sealed class ZooKeeperProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperProtocolException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

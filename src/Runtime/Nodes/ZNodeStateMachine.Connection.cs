namespace ZkTypedState;

/// <content>
/// The connection as the node last took it in. The runtime keeps "connected / stale" session-wide (a node that was
/// not told of a disconnection is served stale by <c>ZNodeValue.Current</c> all the same), so a node is told of a
/// disconnection or re-attach only when it has subscribers or has something to do about it; these let its owner
/// catch up when an input arrives meanwhile.
/// </content>
internal sealed partial class ZNodeStateMachine<T>
{
    /// <summary>Whether the node took in that its connection is up.</summary>
    public bool Connected => _connected;

    /// <summary>The runtime's count of disconnections when the node last took in the connection.</summary>
    public long Connection => _connection;

    /// <summary>True when a read was lost to a disconnection: the next re-attach must re-read (re-arming the watch).</summary>
    public bool ReadAfterReconnect => _readAfterReconnect;

    /// <summary>
    /// The node missed disconnections the runtime has since recovered from (watches restored, nothing to re-read):
    /// only the count moves, so a read issued on a connection that is gone is recognised as such.
    /// </summary>
    public void CatchUpConnection(long connection)
    {
        if (_connected && connection > _connection)
        {
            _connection = connection;
        }
    }
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>The session-facing side of a bound value: what the runtime tells every node when the session changes.</summary>
internal interface IZNodeEntry
{
    string Path { get; }

    ZNodeStatus Status { get; }

    /// <summary>Completes once the node has been read in the current session.</summary>
    Task Loaded { get; }

    void OnEstablished(ZooKeeperClient client, long epoch, bool connected);

    void OnDisconnected();

    void OnReconnected(ZooKeeperClient client, long epoch);

    void OnSessionLost(SessionLossPolicy policy, Exception? reason);
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>The session-facing side of a bound value: what the runtime tells every node when the session changes.</summary>
internal interface IZNodeEntry : IZNodeSessionParticipant
{
    string Path { get; }

    ZNodeStatus Status { get; }

    /// <summary>When <see cref="ZNodeStatus.Faulted"/>: why (a <see cref="ZNodePayloadException"/>, or the read's error); otherwise null.</summary>
    Exception? Fault { get; }

    /// <summary>Stops following the node (unbound): no more reads, its watches removed; the last snapshot stays.</summary>
    void Detach();
}

/// <summary>Anything the runtime keeps in step with the session: bound values and the member discovery of families.</summary>
internal interface IZNodeSessionParticipant
{
    /// <summary>Completes once loaded in the current session.</summary>
    Task Loaded { get; }

    /// <summary>A session is established; <c>lineageReset</c>: it knowingly started from zxid 0, so forget the zxid high-water marks.</summary>
    void OnEstablished(ZooKeeperClient client, long epoch, bool connected, bool lineageReset);

    void OnDisconnected();

    /// <summary>The session was re-attached; <c>watchesComplete</c> false: re-registering the watches failed, so re-read to re-arm the watch.</summary>
    void OnReconnected(ZooKeeperClient client, long epoch, bool watchesComplete);

    void OnSessionLost(SessionLossPolicy policy, Exception? reason);
}

using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client.Connection;

/// <summary>
/// What a connection needs from the session that owns it. The session outlives its connections: the
/// outgoing queue, the watch tables, the xid counter and lastZxidSeen carry over from one socket to the next.
/// </summary>
internal interface IConnectionOwner
{
    ILogger Logger { get; }

    ClientMetrics Metrics { get; }

    WatchManager Watches { get; }

    /// <summary>Next ordinary xid: 1 … int.MaxValue, wrapping back to 1.</summary>
    int NextXid();

    /// <summary>Takes the next request to write, if one is queued.</summary>
    bool TryDequeue(out Call call);

    /// <summary>True when a request is queued and not yet taken by a write loop.</summary>
    bool HasQueued { get; }

    /// <summary>Queues a request the receive loop could not write itself (behind whatever is queued), or fails it if the queue is closed.</summary>
    void Requeue(Call call);

    /// <summary>Completes when a request may be queued; false once the queue is closed for good.</summary>
    ValueTask<bool> WaitToDequeueAsync(CancellationToken cancellationToken);

    /// <summary>Queues a ping.</summary>
    void RequestPing();

    /// <summary>A reply header carried this zxid (only called for zxid &gt; 0, never for pings, auth or notifications).</summary>
    void OnReplyZxid(long zxid);

    /// <summary>Any frame arrived: the server is alive and so, as far as it knows, is the session.</summary>
    void OnServerHeard();

    /// <summary>A watch notification arrived.</summary>
    void OnNotification(in WatcherEvent watcherEvent, long headerZxid);

    /// <summary>The server rejected an auth packet: terminal for the client.</summary>
    void OnAuthFailed(Exception reason);

    /// <summary>The exception a request lost with this connection fails with.</summary>
    Exception CreateLostRequestException(Call call, Exception cause);
}

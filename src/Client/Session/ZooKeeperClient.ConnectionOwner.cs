using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client;

/// <content>What the client's connections call back into (<see cref="IConnectionOwner"/>), and the chroot mapping.</content>
public sealed partial class ZooKeeperClient
{
    // ---- IConnectionOwner ----
    ILogger IConnectionOwner.Logger => _logger;

    ClientMetrics IConnectionOwner.Metrics => _metrics;

    WatchManager IConnectionOwner.Watches => _watches;

    int IConnectionOwner.NextXid()
    {
        // Single writer at a time, but keep it atomic anyway; wrap to 1 (0 and negatives are reserved).
        while (true)
        {
            int current = Volatile.Read(ref _xid);
            int next = current == int.MaxValue ? 1 : current + 1;
            if (Interlocked.CompareExchange(ref _xid, next, current) == current)
            {
                return next;
            }
        }
    }

    bool IConnectionOwner.TryDequeue(out Call call)
    {
        if (!_outgoing.Reader.TryRead(out call!))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        return true;
    }

    /// <summary>Queues a request for the write loop, counting it (the channel cannot count or peek with a single reader).</summary>
    private bool TryQueue(Call call)
    {
        Interlocked.Increment(ref _queued);
        if (_outgoing.Writer.TryWrite(call))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    // Requests in the outgoing queue (raised before a request is queued, lowered once it is taken).
    private int _queued;

    bool IConnectionOwner.HasQueued => Volatile.Read(ref _queued) > 0;

    void IConnectionOwner.Requeue(Call call)
    {
        if (!TryQueue(call))
        {
            call.Fail(CreateTerminalException(call.Path));
        }
    }

    ValueTask<bool> IConnectionOwner.WaitToDequeueAsync(CancellationToken cancellationToken) => _outgoing.Reader.WaitToReadAsync(cancellationToken);

    void IConnectionOwner.RequestPing() => TryQueue(PingCall.Instance);

    void IConnectionOwner.OnReplyZxid(long zxid)
    {
        long current = Interlocked.Read(ref _lastZxid);
        while (zxid > current)
        {
            long seen = Interlocked.CompareExchange(ref _lastZxid, zxid, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    void IConnectionOwner.OnServerHeard() => Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());

    void IConnectionOwner.OnNotification(in WatcherEvent watcherEvent, long headerZxid)
    {
        string? path = ToClientPath(watcherEvent.Path);
        if (path is null)
        {
            Log.NotificationOutsideChroot(_logger, watcherEvent.Path);
            return;
        }

        // A server sends only these four; anything else is not handed to user code (nor made a metric tag).
        if (watcherEvent.Type is < (int)WatchEventType.NodeCreated or > (int)WatchEventType.NodeChildrenChanged)
        {
            Log.UndefinedEventType(_logger, watcherEvent.Type, path);
            return;
        }

        var type = (WatchEventType)watcherEvent.Type;
        _metrics.WatchEvent(type);
        var watchedEvent = new WatchedEvent(type, path, headerZxid > 0 ? headerZxid : null);
        _dispatcher.Post(RunReceiveLoopWatchers(_watches.Materialize(type, path), watchedEvent), watchedEvent);
    }

    /// <summary>
    /// Runs the internal watchers (<see cref="IReceiveLoopWatcher"/>: the runtime's, which only queue a re-read) here on
    /// the receive loop, and returns the others, for the dispatcher.
    /// </summary>
    private List<Action<WatchedEvent>> RunReceiveLoopWatchers(List<Action<WatchedEvent>> watchers, WatchedEvent watchedEvent)
    {
        int kept = 0;
        for (int i = 0; i < watchers.Count; i++)
        {
            Action<WatchedEvent> watcher = watchers[i];
            if (watcher.Target is not IReceiveLoopWatcher)
            {
                watchers[kept++] = watcher;
                continue;
            }

            try
            {
                watcher(watchedEvent);
            }
            catch (Exception ex)
            {
                Log.WatcherFailed(_logger, watchedEvent.Type, watchedEvent.Path, ex);
            }
        }

        watchers.RemoveRange(kept, watchers.Count - kept);
        return watchers;
    }

    void IConnectionOwner.OnAuthFailed(Exception reason)
    {
        lock (_stateGate)
        {
            _terminalReason ??= reason;
            _authFailed = true;
        }
    }

    private bool _authFailed;

    Exception IConnectionOwner.CreateLostRequestException(Call call, Exception cause)
    {
        bool authFailed;
        lock (_stateGate)
        {
            authFailed = _authFailed;
        }

        // The state becomes AuthFailed only after the connection is torn down, but its requests already fail for that reason.
        if (authFailed)
        {
            return new AuthFailedException(call.Path, "ZooKeeper: authentication failed; the client is finished. " + cause.Message, cause);
        }

        if (State.IsTerminal())
        {
            return CreateTerminalException(call.Path);
        }

        return new ConnectionLossException(call.Path, $"ZooKeeper: connection lost before the reply to {OpNames.Of(call.OpCode)}{(call.Path is null ? string.Empty : " " + call.Path)} arrived ({cause.Message}). A write may or may not have been applied.", cause);
    }

    // ---- chroot ----
    private string ToServerPath(string path) => _chroot is null ? path : path == "/" ? _chroot : _chroot + path;

    private string? ToClientPath(string serverPath)
    {
        if (_chroot is null)
        {
            return serverPath;
        }

        if (serverPath == _chroot)
        {
            return "/";
        }

        if (serverPath.Length > _chroot.Length && serverPath.StartsWith(_chroot, StringComparison.Ordinal) && serverPath[_chroot.Length] == '/')
        {
            return serverPath[_chroot.Length..];
        }

        return null;
    }

    private string StripChroot(string serverPath) => ToClientPath(serverPath) ?? serverPath;
}

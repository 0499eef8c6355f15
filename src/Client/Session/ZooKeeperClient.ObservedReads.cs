using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client;

/// <content>The runtime's reads: observed getData/exists completed by callback (internal, see <see cref="ObservedReadCall"/>).</content>
public sealed partial class ZooKeeperClient
{
    /// <summary>
    /// Queues an observed getData (<paramref name="exists"/> false) or exists with <paramref name="watcher"/> armed, and
    /// reports the outcome to <paramref name="callback"/> on the thread that completes it. Never calls back on the calling
    /// thread: a call that cannot be queued (the client is finished) fails from the thread pool, so a caller holding a
    /// lock is not re-entered.
    /// </summary>
    internal void SubmitObservedRead(string path, bool exists, Action<WatchedEvent>? watcher, IObservedReadCallback callback)
    {
        var call = new ObservedReadCall(exists ? OpCode.Exists : OpCode.GetData, path, ToServerPath(path), watcher, callback);
        if (!State.IsTerminal())
        {
            if (_options.OperationTimeout != Timeout.InfiniteTimeSpan)
            {
                call.Timer = new OperationTimer(this, call, _options.OperationTimeout);
            }

            // Unlike Enqueue, never written on the calling thread (TryWriteNow): encoding may fail the call at once
            // (oversize), and its callback must not run on the caller, which may hold the node's lock.
            if (_currentConnection?.TryDefer(call) == true || TryQueue(call))
            {
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Client.FailFinished(state.Call), (Client: this, Call: call), preferLocal: false);
    }

    private void FailFinished(Call call) => call.Fail(CreateTerminalException(call.Path));
}

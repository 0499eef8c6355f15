using Microsoft.Extensions.Logging;
using ZkTypedState.Client;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Watches;

namespace ZkTypedState;

/// <content>
/// The callback read path: the node's watch runs on the client's receive loop and only queues the re-read, and the
/// read completes by callback (no TaskCompletionSource, no async state machine). Reads that must wait — for a read
/// slot, or a backoff after an older answer — go through the awaiting <c>ReadLoopAsync</c> instead.
/// </content>
internal sealed partial class ZNodeValue<T>
{
    /// <summary>Starts reading (a read command of the machine): at once by callback when a read slot is free.</summary>
    private void StartReads(ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        // Traced reads (a listener on the runtime's or the client's ActivitySource) take the awaiting path, which opens
        // the load/reload span and the client's request spans; the callback path has no place for either.
        if (RuntimeTracing.Source.HasListeners() || ClientTracing.Source.HasListeners() || !_runtime.TryEnterRead())
        {
            _ = ReadLoopAsync(client, epoch, watcher);
            return;
        }

        new CallbackRead(this, client, epoch, watcher).Issue();
    }

    /// <summary>
    /// Applies a read's outcome to the state machine: its answer, or its error — connection loss (re-read at the
    /// re-attach), the session gone or the runtime stopping (the session events take it from here), or any other
    /// failure (the node is faulted). Returns what to do next.
    /// </summary>
    private ReadCommand StepOutcome(ReadTicket ticket, ObservedNode? result, Exception? error)
    {
        switch (error)
        {
            case null:
                return Step(() => _machine.ReadSucceeded(ticket, result!, _runtime.LossGeneration));
            case ConnectionLossException:
                return Step(() => _machine.ReadLostConnection(ticket));
            case SessionExpiredException or AuthFailedException or ObjectDisposedException or OperationCanceledException:
                return Step(() => _machine.ReadAborted(ticket));
            default:
                _runtime.Logger.LogError(error, "Reading {Path} failed.", Path);
                return Step(() => _machine.ReadFailed(ticket, error));
        }
    }

    /// <summary>After a read completed outside the read loop: drops the watch if the node was unbound meanwhile, or goes on reading.</summary>
    private void ContinueAfterRead(ReadCommand next, ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        if (_detached)
        {
            // Unbound while reading: the read may have armed a watch after Detach looked for one.
            _ = RemoveWatchAsync(client, watcher);
            return;
        }

        ContinueReads(next, client, epoch, watcher);
    }

    /// <summary>Carries out a read command outside the read loop: read now, or after the older-answer backoff.</summary>
    private void ContinueReads(ReadCommand next, ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        if (next == ReadCommand.Start)
        {
            StartReads(client, epoch, watcher);
        }
        else if (next == ReadCommand.StartAfterBackoff)
        {
            _ = ReadAfterBackoffAsync(client, epoch, watcher);
        }
    }

    private async Task ReadAfterBackoffAsync(ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        if (await OlderAnswerBackoffAsync().ConfigureAwait(false))
        {
            StartReads(client, epoch, watcher);
        }
    }

    /// <summary>The runtime's data watch: runs on the receive loop (<see cref="IReceiveLoopWatcher"/>) and only queues the re-read.</summary>
    private sealed class ReceiveLoopWatch(ZNodeValue<T> node, ZooKeeperClient client, long epoch) : IReceiveLoopWatcher
    {
        public void Fire(WatchedEvent e)
        {
            // The node's lock is also held while a payload is parsed (user validators): if it is busy, do not wait for it
            // on the receive loop.
            if (!Monitor.TryEnter(node._gate))
            {
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.node.OnWatch(s.client, s.epoch, s.e), (node, client, epoch, e), preferLocal: false);
                return;
            }

            try
            {
                node.OnWatch(client, epoch, e);
            }
            finally
            {
                Monitor.Exit(node._gate);
            }
        }
    }

    /// <summary>
    /// One read of the node (getData; exists if it is missing; getData again if it was created in between), holding a
    /// read slot until the answer. Its outcome is applied to the state machine where the answer arrived — the receive
    /// loop — so the change reaches the notification executor without another hop; but when the node has options
    /// validators (user code, run by every parse) the outcome is applied on a thread-pool work item instead, so no user
    /// code runs on the receive loop.
    /// </summary>
    private sealed class CallbackRead(ZNodeValue<T> node, ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher) : IObservedReadCallback, IThreadPoolWorkItem
    {
        private ReadTicket _ticket;
        private int _stage;
        private ObservedNode? _result;
        private Exception? _error;

        public void Issue()
        {
            lock (node._gate)
            {
                if (node._machine.Epoch != epoch || !ReferenceEquals(node._client, client))
                {
                    node._runtime.ExitRead();
                    return;
                }

                _ticket = node._machine.TicketFor(epoch);
            }

            if (node._detached)
            {
                OnFailed(new OperationCanceledException("The node was unbound before its read was sent."));
                return;
            }

            Submit(exists: false);
        }

        public void OnObserved(ObservedNode observed)
        {
            if (_stage == 0 && !observed.Exists)
            {
                // getData arms no watch on a missing node; exists does (it fires NodeCreated).
                _stage = 1;
                Submit(exists: true);
                return;
            }

            if (_stage == 1 && observed.Exists)
            {
                // Created in between: the exists watch is now a data watch; read the payload.
                _stage = 2;
                Submit(exists: false);
                return;
            }

            _result = observed;
            Complete();
        }

        public void OnFailed(Exception error)
        {
            _error = error;
            Complete();
        }

        public void Execute() => node.ContinueAfterRead(node.StepOutcome(_ticket, _result, _error), client, epoch, watcher);

        private void Submit(bool exists)
        {
            node._runtime.CountRead();
            client.SubmitObservedRead(node.Path, exists, watcher, this);
        }

        private void Complete()
        {
            node._runtime.ExitRead();
            if (!node._payload.HasUserValidators)
            {
                try
                {
                    Execute();
                }
                catch (Exception ex)
                {
                    // Never into the receive loop: it would take the connection down for one node's fault.
                    node._runtime.Logger.LogError(ex, "Applying the read of {Path} failed.", node.Path);
                }

                return;
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }
}

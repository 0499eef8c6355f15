using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// One bound node: the I/O and scheduling around its <see cref="ZNodeStateMachine{T}"/>. The value is an immutable
/// snapshot swapped atomically, so reads are lock-free and allocation-free. Every state change happens under a
/// private lock that is never held across an await, and its notifications are posted to the runtime's one
/// notification executor before the lock is released, so they are delivered in exactly the order the state changed.
/// </summary>
/// <remarks>
/// Reads and watches are one: <c>getData(watch)</c> both loads the value and arms the watch (and <c>exists(watch)</c>
/// for a missing node), so no change can fall between a first read and a later watch. The watches are one-shot data
/// and exist watches, which the client re-registers with SetWatches and lastZxidSeen after a reconnect: the server
/// fires at once for exactly the nodes that changed while away, and only those are re-read.
/// </remarks>
internal sealed partial class ZNodeValue<T> : IZNode<T>, IZNodeEntry
{
    private readonly ZNodeRuntime _runtime;
    private readonly ZNodePayload<T> _payload;
    private readonly ZNodeStateMachine<T> _machine;
    private readonly object _gate = new();
    private readonly T _default;
    private ZNodeSnapshot<T> _snapshot;
    private Action<ZNodeSignal<T>>? _signaled;

    // Which client the machine's current epoch belongs to, and its watcher (guarded by _gate).
    private ZooKeeperClient? _client;
    private Action<WatchedEvent>? _watcher;
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set once by Detach: reads still queued are skipped, and a read in flight removes the watch it armed.
    private volatile bool _detached;

    public ZNodeValue(ZNodeRuntime runtime, ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators)
    {
        _runtime = runtime;
        Path = path;
        OptionsName = optionsName;
        _default = descriptor.CreateDefault();
        _payload = new ZNodePayload<T>(descriptor, path, optionsName, validators, runtime.Options.MaxPayloadBytes);
        _machine = new ZNodeStateMachine<T>(path, _default, _payload.Parse, runtime.LossGeneration);
        _snapshot = _machine.Snapshot;
    }

    public string Path { get; }

    public string OptionsName { get; }

    public ZNodeSnapshot<T> Current
    {
        get
        {
            ZNodeSnapshot<T> snapshot = Volatile.Read(ref _snapshot);
            if (snapshot.LossGeneration != _runtime.LossGeneration)
            {
                return ZNodeStateMachine<T>.ServedAfterLoss(snapshot, _runtime.Options.SessionLossPolicy, _default, Path);
            }

            // Connected/stale is session-wide: while the runtime is disconnected nothing is served as current.
            return snapshot.IsCurrent && !_runtime.IsConnected ? StaleView(snapshot) : snapshot;
        }
    }

    public T Value => Current.Value;

    public ZNodeStatus Status => Current.Status;

    public Task Loaded
    {
        get
        {
            lock (_gate)
            {
                return _loaded.Task;
            }
        }
    }

    public event Action<ZNodeChange<T>>? Changed;

    public event Action<ZNodeSignal<T>>? Signaled
    {
        add
        {
            lock (_gate)
            {
                _signaled += value;
                _runtime.SetSignalSubscriber(this, _signaled is not null);
            }
        }

        remove
        {
            lock (_gate)
            {
                _signaled -= value;
                _runtime.SetSignalSubscriber(this, _signaled is not null);
            }
        }
    }

    public Task WaitForLoadedAsync(CancellationToken cancellationToken = default) => Loaded.WaitAsync(cancellationToken);

    // ---- session events (delivered by the runtime on its notification executor, or from Bind) ----
    public void OnEstablished(ZooKeeperClient client, long epoch, bool connected, bool lineageReset)
    {
        lock (_gate)
        {
            if (_machine.Epoch == epoch)
            {
                return;
            }

            _client = client;

            // One watcher instance per session, so the client sees one watcher however often it is re-armed.
            _watcher = new ReceiveLoopWatch(this, client, epoch).Fire;
            Handle(_machine.Established(epoch, connected, _runtime.LossGeneration, lineageReset));
            SyncConnectionLocked();
        }
    }

    public void OnDisconnected()
    {
        lock (_gate)
        {
            SyncConnectionLocked();
        }
    }

    public void OnReconnected(ZooKeeperClient client, long epoch, bool watchesComplete)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_client, client) && _runtime.TryGetConnection(epoch, out bool connected, out long connection, out _) && connected)
            {
                TakeInReconnectLocked(epoch, watchesComplete, connection);
            }
        }
    }

    public void OnSessionLost(SessionLossPolicy policy, Exception? reason)
    {
        lock (_gate)
        {
            // Reads still in flight belong to the lost session: the machine's epoch 0 makes sure none of them is applied.
            _client = null;
            _watcher = null;
            if (_loaded.Task.IsCompleted || _machine.IsLoaded)
            {
                _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            Handle(_machine.SessionLost(policy, reason ?? new SessionExpiredException(Path, "ZooKeeper: the session was lost."), _runtime.LossGeneration));
        }
    }

    public void Detach()
    {
        ZooKeeperClient? client;
        Action<WatchedEvent>? watcher;
        lock (_gate)
        {
            // Without a client no read loop continues and no watch or session event is acted on.
            _detached = true;
            client = _client;
            watcher = _watcher;
            _client = null;
            _watcher = null;
            _loaded.TrySetResult();
        }

        if (client is not null && watcher is not null)
        {
            _ = RemoveWatchAsync(client, watcher);
        }
    }

    /// <summary>Best effort: drops the server's watch of an unbound node (it would fire once and be ignored otherwise).</summary>
    private async Task RemoveWatchAsync(ZooKeeperClient client, Action<WatchedEvent> watcher)
    {
        try
        {
            await client.RemoveWatchesAsync(Path, watcher, WatcherType.Any, _runtime.Lifetime).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is KeeperException or OperationCanceledException or ObjectDisposedException)
        {
            // No watch armed (NoWatcher), or the connection or runtime is going away: nothing is left to remove.
        }
    }

    // ---- reading ----
    private void OnWatch(ZooKeeperClient client, long epoch, WatchedEvent e)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_client, client))
            {
                SyncConnectionLocked();
                Handle(_machine.WatchFired(epoch));
            }
        }
    }

    /// <summary>
    /// Publishes a step's snapshot, posts its notifications (still under the lock) and starts a read loop if asked —
    /// unless <c>fromReadLoop</c>: the read loop then handles the step's read command itself (it continues).
    /// </summary>
    private void Handle(ZNodeStep<T> step, bool fromReadLoop = false)
    {
        Volatile.Write(ref _snapshot, step.Snapshot);

        // Loaded completes on the stream, after the load's own notifications: whoever awaits Loaded reads the loaded
        // value and is not handed a change it has already seen.
        TaskCompletionSource? loaded = _machine.IsLoaded && !_loaded.Task.IsCompleted ? _loaded : null;

        if (step.Applied)
        {
            _runtime.Metrics.ChangeApplied();
        }

        if (step.Rejected is { } rejected)
        {
            _runtime.Metrics.PayloadRejected(rejected.Error);
            _runtime.Logger.LogWarning("Rejected the payload of {Path} at mzxid 0x{Mzxid:x}; keeping the last good value. {Reason}", Path, rejected.Mzxid, rejected.Message);
        }

        if (step.Notifies || loaded is not null)
        {
            ZNodeChange<T>? change = step.Change;
            ZNodeSignal<T>? signal = step.Signal;
            if (!_runtime.Notify(() =>
            {
                try
                {
                    if (change is not null)
                    {
                        Changed?.Invoke(change);
                    }

                    if (signal is not null)
                    {
                        Volatile.Read(ref _signaled)?.Invoke(signal);
                    }
                }
                finally
                {
                    loaded?.TrySetResult();
                }
            }))
            {
                // The runtime is stopping: nothing is delivered any more, but nobody may wait for Loaded forever.
                loaded?.TrySetResult();
            }
        }

        if (step.Read == ReadCommand.Start && !fromReadLoop && !ZNodeReadBatch.TryCollect(this))
        {
            StartReads(_client!, _machine.Epoch, _watcher!);
        }
    }

    private async Task ReadLoopAsync(ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        while (true)
        {
            ReadTicket ticket;
            lock (_gate)
            {
                if (_machine.Epoch != epoch || !ReferenceEquals(_client, client))
                {
                    return;
                }

                SyncConnectionLocked();
                ticket = _machine.TicketFor(epoch);
            }

            ReadCommand next;
            try
            {
                ObservedNode result = await ReadTracedAsync(client, watcher).ConfigureAwait(false);
                next = StepOutcome(ticket, result, null);
            }
            catch (Exception ex)
            {
                next = StepOutcome(ticket, null, ex);
            }

            if (_detached)
            {
                // Unbound while reading: the read may have armed a watch after Detach looked for one.
                await RemoveWatchAsync(client, watcher).ConfigureAwait(false);
                return;
            }

            if (next == ReadCommand.None)
            {
                return;
            }

            if (next == ReadCommand.StartAfterBackoff)
            {
                // An answer older than what is held (a lagging server): never go back in time, and never re-ask at once.
                if (!await OlderAnswerBackoffAsync().ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Waits the jittered backoff after older answers in a row; false when the runtime stops meanwhile.</summary>
    private async Task<bool> OlderAnswerBackoffAsync()
    {
        int older;
        lock (_gate)
        {
            older = _machine.OlderAnswersInARow;
        }

        TimeSpan cap = ZNodeStateMachine<T>.Backoff(older);
        try
        {
            await Task.Delay(cap / 2 + cap / 2 * Random.Shared.NextDouble(), _runtime.Lifetime).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ReadCommand Step(Func<ZNodeStep<T>> input)
    {
        lock (_gate)
        {
            SyncConnectionLocked();
            ZNodeStep<T> step = input();
            Handle(step, fromReadLoop: true);
            if (_machine.ReadAfterReconnect)
            {
                // A read lost to the connection: the next re-attach must re-read this node.
                _runtime.TrackForReconnect(this);
            }

            return step.Read;
        }
    }

    private async Task<ObservedNode> ReadAndWatchAsync(ZooKeeperClient client, Action<WatchedEvent> watcher)
    {
        await _runtime.EnterReadAsync().ConfigureAwait(false);
        try
        {
            if (_detached)
            {
                throw new OperationCanceledException("The node was unbound before its read was sent.");
            }

            _runtime.CountRead();
            ObservedNode data = await client.GetDataObservedAsync(Path, watcher, _runtime.Lifetime).ConfigureAwait(false);
            if (data.Exists)
            {
                return data;
            }

            // getData arms no watch on a missing node; exists does (it fires NodeCreated).
            _runtime.CountRead();
            ObservedNode exists = await client.ExistsObservedAsync(Path, watcher, _runtime.Lifetime).ConfigureAwait(false);
            if (!exists.Exists)
            {
                return exists;
            }

            // Created in between: the exists watch is now a data watch; read the payload.
            _runtime.CountRead();
            return await client.GetDataObservedAsync(Path, watcher, _runtime.Lifetime).ConfigureAwait(false);
        }
        finally
        {
            _runtime.ExitRead();
        }
    }
}

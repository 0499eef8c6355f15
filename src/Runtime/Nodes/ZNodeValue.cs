using System.Text.Json;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// One bound node. The value is an immutable snapshot swapped atomically, so reads are lock-free and allocation-free.
/// All state changes happen under a private lock that is never held across an await; events are raised afterwards,
/// in order, on the runtime's notification executor.
/// </summary>
/// <remarks>
/// <para>Reads and watches are one: <c>getData(watch)</c> both loads the value and arms the watch (and <c>exists(watch)</c>
/// for a missing node), so no change can fall between a first read and a later watch. The watches are one-shot data
/// and exist watches, which the client re-registers with SetWatches and lastZxidSeen after a reconnect: the server
/// fires at once for exactly the nodes that changed while away, and only those are re-read.</para>
/// <para>Ordering: a payload is applied only if its mzxid is newer than the one held, and "missing" only if the reply
/// that reported it observed a newer zxid — never by <c>version</c>, which restarts at 0 when a node is re-created.</para>
/// </remarks>
internal sealed class ZNodeValue<T> : IZNode<T>, IZNodeEntry
{
    private const int MaxUpdateAttempts = 100;

    private readonly ZNodeRuntime _runtime;
    private readonly ZNodeDescriptor<T> _descriptor;
    private readonly string _optionsName;
    private readonly IReadOnlyList<Func<string, T, IReadOnlyList<string>>> _validators;
    private readonly object _gate = new();
    private readonly T _default;
    private ZNodeSnapshot<T> _snapshot;

    // Content: what the node held at the last applied read (guarded by _gate).
    private bool _hasContent;
    private bool _exists;
    private byte[]? _bytes;
    private T _good;
    private bool _hasGood;
    private Stat? _stat;
    private Exception? _fault;
    private long _knownZxid;
    private long _observedZxid;

    // Session: which session the node is live in and what it must do there (guarded by _gate).
    private int _generation;
    private long _epoch;
    private long _contentEpoch;
    private bool _connected;
    private bool _loadedThisEpoch;
    private bool _invalidated;
    private Exception? _invalidationReason;
    private bool _resyncOnLoad;
    private ZooKeeperClient? _client;
    private Action<WatchedEvent>? _watcher;
    private bool _reading;
    private bool _dirty;
    private bool _readAfterReconnect;
    private bool _resyncPending;
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ZNodeValue(ZNodeRuntime runtime, ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators)
    {
        _runtime = runtime;
        _descriptor = descriptor;
        Path = path;
        _optionsName = optionsName;
        _validators = validators;
        _default = descriptor.CreateDefault();
        _good = _default;
        _generation = runtime.LossGeneration;
        _snapshot = new ZNodeSnapshot<T>(_default, ZNodeStatus.Loading, null, 0, 0, null) { LossGeneration = _generation };
    }

    public string Path { get; }

    public string OptionsName => _optionsName;

    public ZNodeSnapshot<T> Current
    {
        get
        {
            ZNodeSnapshot<T> snapshot = Volatile.Read(ref _snapshot);
            return snapshot.LossGeneration == _runtime.LossGeneration ? snapshot : AfterLoss(snapshot);
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

    /// <summary>
    /// A snapshot read in a session that is now known to be lost, in the window before this node itself has been told:
    /// served as the policy says (invalidated, or stale), never as current.
    /// </summary>
    private ZNodeSnapshot<T> AfterLoss(ZNodeSnapshot<T> snapshot)
    {
        if (_runtime.Options.SessionLossPolicy == SessionLossPolicy.ServeStaleAndRebuild)
        {
            return snapshot.Status is ZNodeStatus.Fresh or ZNodeStatus.Missing ? snapshot with { Status = ZNodeStatus.Stale } : snapshot;
        }

        return snapshot.Status == ZNodeStatus.Invalidated
            ? snapshot
            : new ZNodeSnapshot<T>(_default, ZNodeStatus.Invalidated, null, snapshot.ObservedZxid, snapshot.SessionEpoch, new SessionExpiredException(Path, "ZooKeeper: the session was lost.")) { LossGeneration = snapshot.LossGeneration };
    }

    public event Action<ZNodeSignal<T>>? Signaled;

    public Task WaitForLoadedAsync(CancellationToken cancellationToken = default) => Loaded.WaitAsync(cancellationToken);

    // ---- session events ----
    public void OnEstablished(ZooKeeperClient client, long epoch, bool connected)
    {
        lock (_gate)
        {
            if (_epoch == epoch && ReferenceEquals(_client, client))
            {
                return;
            }

            _resyncOnLoad = _hasContent;
            _generation = _runtime.LossGeneration;
            _epoch = epoch;
            _client = client;
            _connected = connected;
            _loadedThisEpoch = false;
            _reading = false;
            _dirty = false;
            _readAfterReconnect = false;
            _resyncPending = false;

            // One watcher instance per session, so the client sees one watcher however often it is re-armed.
            _watcher = e => OnWatch(client, epoch, e);
            StartReadLocked();
        }
    }

    public void OnDisconnected()
    {
        Action? notify;
        lock (_gate)
        {
            _connected = false;
            notify = PublishLocked(ZNodeSignalKind.StatusChanged, changed: false);
        }

        Post(notify);
    }

    public void OnReconnected(ZooKeeperClient client, long epoch)
    {
        Action? notify = null;
        lock (_gate)
        {
            if (_epoch != epoch || !ReferenceEquals(_client, client))
            {
                return;
            }

            _connected = true;
            if (_readAfterReconnect)
            {
                _readAfterReconnect = false;
                _resyncPending = true;
                StartReadLocked();
            }
            else if (_reading || !_loadedThisEpoch)
            {
                // A catch-up event (delivered before this) started a re-read: signal when it has been applied.
                _resyncPending = true;
            }
            else
            {
                notify = PublishLocked(ZNodeSignalKind.Resynced, changed: false, forceSignal: true);
            }
        }

        Post(notify);
    }

    public void OnSessionLost(SessionLossPolicy policy, Exception? reason)
    {
        Action? notify;
        lock (_gate)
        {
            // Reads still in flight belong to the lost session: epoch 0 makes sure none of them is applied.
            _epoch = 0;
            _client = null;
            _watcher = null;
            _connected = false;
            _loadedThisEpoch = false;
            _reading = false;
            _dirty = false;
            _invalidated = policy == SessionLossPolicy.InvalidateAndRebuild;
            _invalidationReason = reason ?? new SessionExpiredException(Path, "ZooKeeper: the session was lost.");
            if (_loaded.Task.IsCompleted)
            {
                _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            notify = PublishLocked(ZNodeSignalKind.SessionLost, changed: false, forceSignal: true);
        }

        Post(notify);
    }

    // ---- reading ----
    private void OnWatch(ZooKeeperClient client, long epoch, WatchedEvent e)
    {
        lock (_gate)
        {
            if (_epoch != epoch || !ReferenceEquals(_client, client))
            {
                return;
            }

            StartReadLocked();
        }
    }

    private void StartReadLocked()
    {
        if (_reading)
        {
            // Coalesce: one more read after the current one covers any number of events meanwhile.
            _dirty = true;
            return;
        }

        _reading = true;
        _dirty = false;
        _ = ReadLoopAsync(_client!, _epoch, _watcher!);
    }

    private async Task ReadLoopAsync(ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        while (true)
        {
            ObservedNode result;
            try
            {
                result = await ReadAndWatchAsync(client, watcher).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // The watch may not be armed: read again once the session is re-attached.
                lock (_gate)
                {
                    if (_epoch == epoch)
                    {
                        _reading = false;
                        _readAfterReconnect = true;
                    }
                }

                return;
            }
            catch (Exception ex) when (ex is SessionExpiredException or AuthFailedException or ObjectDisposedException or OperationCanceledException)
            {
                // The session is gone or the runtime is stopping; the session owner's events take it from here.
                lock (_gate)
                {
                    if (_epoch == epoch)
                    {
                        _reading = false;
                    }
                }

                return;
            }
            catch (Exception ex)
            {
                Action? failed;
                lock (_gate)
                {
                    if (_epoch != epoch)
                    {
                        return;
                    }

                    _reading = false;
                    _fault = ex;
                    _hasContent = true;
                    _loadedThisEpoch = true;
                    failed = PublishLocked(ZNodeSignalKind.StatusChanged, changed: false);
                    _loaded.TrySetResult();
                }

                _runtime.Logger.LogError(ex, "Reading {Path} failed.", Path);
                Post(failed);
                return;
            }

            Action? notify;
            lock (_gate)
            {
                if (_epoch != epoch || !ReferenceEquals(_client, client))
                {
                    return;
                }

                notify = ApplyLocked(result, epoch);
                if (!_dirty)
                {
                    _reading = false;
                    Post(notify);
                    return;
                }

                _dirty = false;
            }

            Post(notify);
        }
    }

    private async Task<ObservedNode> ReadAndWatchAsync(ZooKeeperClient client, Action<WatchedEvent> watcher)
    {
        await _runtime.EnterReadAsync().ConfigureAwait(false);
        try
        {
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

    // ---- applying ----
    private Action? ApplyLocked(ObservedNode result, long epoch)
    {
        if (_generation != _runtime.LossGeneration)
        {
            // The session this read belongs to is known to be lost (this node just has not been told yet): drop it.
            return null;
        }

        bool firstContent = !_hasContent;
        bool changed;
        if (!result.Exists)
        {
            if (result.Zxid < _knownZxid)
            {
                // An answer older than what is held (a lagging server): never go back in time; ask again.
                _dirty = true;
                return null;
            }

            changed = _exists || _fault is not null;
            _exists = false;
            _bytes = null;
            _hasGood = false;
            _good = _default;
            _stat = null;
            _fault = null;
            _knownZxid = Math.Max(_knownZxid, result.Zxid);
        }
        else
        {
            Stat stat = result.Stat!.Value;
            byte[] bytes = result.Data ?? [];
            if (stat.Mzxid < _knownZxid)
            {
                _dirty = true;
                return null;
            }

            if (_hasContent && _exists && _fault is null && _bytes is not null && bytes.AsSpan().SequenceEqual(_bytes))
            {
                // Same content (an unchanged re-read, or a write of identical bytes): no change to report.
                changed = false;
                _stat = stat;
            }
            else if (TryParse(bytes, stat, out T value, out ZNodePayloadException? error))
            {
                changed = true;
                _good = value;
                _hasGood = true;
                _bytes = bytes;
                _stat = stat;
                _fault = null;
                _runtime.Metrics.ChangeApplied();
            }
            else
            {
                changed = false;
                _fault = error;
                _stat = stat;
                _runtime.Metrics.PayloadRejected(error!.Error);
                _runtime.Logger.LogWarning("Rejected the payload of {Path} at mzxid 0x{Mzxid:x}; keeping the last good value. {Reason}", Path, stat.Mzxid, error.Message);
            }

            _exists = true;
            _knownZxid = Math.Max(_knownZxid, stat.Mzxid);
        }

        _observedZxid = Math.Max(_observedZxid, result.Zxid);
        _hasContent = true;
        _contentEpoch = epoch;
        _invalidated = false;
        bool resync = _resyncPending || (_resyncOnLoad && !_loadedThisEpoch);
        _resyncPending = false;
        _loadedThisEpoch = true;

        // No change events during the initial load: the first content is not a change. The snapshot is published
        // before Loaded completes, so whoever awaits Loaded reads the loaded value.
        Action? notify = PublishLocked(resync ? ZNodeSignalKind.Resynced : ZNodeSignalKind.StatusChanged, changed && !firstContent, forceSignal: resync);
        _loaded.TrySetResult();
        return notify;
    }

    private bool TryParse(byte[] bytes, Stat stat, out T value, out ZNodePayloadException? error)
    {
        value = _default;
        error = null;
        if (bytes.Length == 0)
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.Empty, $"The node {Path} has no data (expected JSON for {typeof(T).Name}).");
            return false;
        }

        if (bytes.Length > _runtime.Options.MaxPayloadBytes)
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.TooLarge, $"The payload of {Path} is {bytes.Length} bytes, above the {_runtime.Options.MaxPayloadBytes}-byte limit (ZkTypedStateOptions.MaxPayloadBytes).");
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.Malformed, $"The payload of {Path} is not valid UTF-8, so it cannot be JSON for {typeof(T).Name}.");
            return false;
        }

        T? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(bytes, _descriptor.JsonTypeInfo);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.Malformed, $"The payload of {Path} is not valid JSON for {typeof(T).Name}: {ex.Message}", inner: ex);
            return false;
        }

        if (parsed is null)
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.Malformed, $"The payload of {Path} is JSON null, not a {typeof(T).Name}.");
            return false;
        }

        IReadOnlyList<string> failures = Validate(parsed);
        if (failures.Count > 0)
        {
            error = new ZNodePayloadException(Path, stat.Mzxid, ZNodePayloadError.ValidationFailed, $"The payload of {Path} failed validation: {string.Join("; ", failures)}", failures);
            return false;
        }

        value = parsed;
        return true;
    }

    private IReadOnlyList<string> Validate(T value)
    {
        List<string>? failures = null;
        if (_descriptor.Validate?.Invoke(value) is { Count: > 0 } own)
        {
            (failures ??= []).AddRange(own);
        }

        foreach (Func<string, T, IReadOnlyList<string>> validator in _validators)
        {
            if (validator(_optionsName, value) is { Count: > 0 } more)
            {
                (failures ??= []).AddRange(more);
            }
        }

        return failures ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Recomputes the snapshot; returns the notification to raise (outside the lock), if anything changed.</summary>
    private Action? PublishLocked(ZNodeSignalKind signal, bool changed, bool forceSignal = false)
    {
        ZNodeSnapshot<T> previous = _snapshot;
        ZNodeSnapshot<T> next = Compute();
        bool same = ReferenceEquals(previous.Value, next.Value) && previous.Status == next.Status && previous.Stat == next.Stat
            && previous.ObservedZxid == next.ObservedZxid && previous.SessionEpoch == next.SessionEpoch && ReferenceEquals(previous.Error, next.Error)
            && previous.LossGeneration == next.LossGeneration;
        if (!same)
        {
            Volatile.Write(ref _snapshot, next);
        }

        if (changed)
        {
            var change = new ZNodeChange<T>(Path, previous, next);
            ZNodeSignal<T>? extra = forceSignal ? new ZNodeSignal<T>(Path, signal, next) : null;
            return () =>
            {
                Changed?.Invoke(change);
                if (extra is not null)
                {
                    Signaled?.Invoke(extra);
                }
            };
        }

        if (forceSignal || previous.Status != next.Status || !ReferenceEquals(previous.Error, next.Error))
        {
            var signalled = new ZNodeSignal<T>(Path, forceSignal ? signal : ZNodeSignalKind.StatusChanged, next);
            return () => Signaled?.Invoke(signalled);
        }

        return null;
    }

    private ZNodeSnapshot<T> Compute()
    {
        ZNodeStatus status;
        T value;
        Exception? error = _fault;
        if (_invalidated)
        {
            status = ZNodeStatus.Invalidated;
            value = _default;
            error = _invalidationReason;
        }
        else if (!_hasContent)
        {
            status = ZNodeStatus.Loading;
            value = _default;
        }
        else if (_fault is not null)
        {
            status = ZNodeStatus.Faulted;
            value = _hasGood ? _good : _default;
        }
        else if (!_connected || !_loadedThisEpoch)
        {
            status = ZNodeStatus.Stale;
            value = _exists ? _good : _default;
        }
        else if (!_exists)
        {
            status = ZNodeStatus.Missing;
            value = _default;
        }
        else
        {
            status = ZNodeStatus.Fresh;
            value = _good;
        }

        return new ZNodeSnapshot<T>(value, status, _exists ? _stat : null, _observedZxid, _contentEpoch, error) { LossGeneration = _generation };
    }

    private void Post(Action? notification)
    {
        if (notification is not null)
        {
            _runtime.Notify(notification);
        }
    }

    // ---- writes ----
    public async Task<Stat> SetAsync(T value, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes = SerializeValid(value);
        ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
        Stat stat;
        try
        {
            stat = await client.SetDataAsync(Path, bytes, expectedVersion ?? -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException) when (expectedVersion is null or -1)
        {
            stat = await CreateOrSetAsync(client, bytes, cancellationToken).ConfigureAwait(false);
        }

        ApplyOwnWrite(client, bytes, stat);
        return stat;
    }

    public async Task<T> UpdateAsync(Func<T, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (int attempt = 1; attempt <= MaxUpdateAttempts; attempt++)
        {
            ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
            ObservedNode current = await client.GetDataObservedAsync(Path, null, cancellationToken).ConfigureAwait(false);
            T input;
            if (current.Exists)
            {
                if (!TryParse(current.Data ?? [], current.Stat!.Value, out input, out ZNodePayloadException? error))
                {
                    throw error!;
                }
            }
            else
            {
                input = _descriptor.CreateDefault();
            }

            T next = update(input);
            byte[] bytes = SerializeValid(next);
            try
            {
                Stat stat = current.Exists
                    ? await client.SetDataAsync(Path, bytes, current.Stat!.Value.Version, cancellationToken).ConfigureAwait(false)
                    : await CreateAsync(client, bytes, cancellationToken).ConfigureAwait(false);
                ApplyOwnWrite(client, bytes, stat);
                return next;
            }
            catch (Exception ex) when (ex is BadVersionException or NodeExistsException or NoNodeException)
            {
                // Someone else wrote in between: read again and re-apply the update.
            }
        }

        throw new InvalidOperationException($"UpdateAsync on {Path} gave up after {MaxUpdateAttempts} conflicting attempts.");
    }

    public async Task DeleteAsync(int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DeleteAsync(Path, expectedVersion ?? -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
    }

    private byte[] SerializeValid(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        IReadOnlyList<string> failures = Validate(value);
        if (failures.Count > 0)
        {
            throw new ZNodeValidationException(Path, failures);
        }

        return JsonSerializer.SerializeToUtf8Bytes(value, _descriptor.JsonTypeInfo);
    }

    private async Task<Stat> CreateOrSetAsync(ZooKeeperClient client, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await CreateAsync(client, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            return await client.SetDataAsync(Path, bytes, -1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the node, creating missing parents (as plain persistent nodes) first.</summary>
    private async Task<Stat> CreateAsync(ZooKeeperClient client, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.CreateAsync(Path, bytes, cancellationToken: cancellationToken).ConfigureAwait(false)).Stat;
        }
        catch (NoNodeException)
        {
            int slash = 0;
            while ((slash = Path.IndexOf('/', slash + 1)) > 0)
            {
                try
                {
                    await client.CreateAsync(Path[..slash], cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (NodeExistsException)
                {
                }
            }

            return (await client.CreateAsync(Path, bytes, cancellationToken: cancellationToken).ConfigureAwait(false)).Stat;
        }
    }

    /// <summary>Read-your-writes: a write's own result is applied at once, by the same zxid rules as any read.</summary>
    private void ApplyOwnWrite(ZooKeeperClient client, byte[] bytes, Stat stat)
    {
        Action? notify = null;
        lock (_gate)
        {
            if (ReferenceEquals(_client, client) && _epoch != 0 && _loadedThisEpoch)
            {
                notify = ApplyLocked(new ObservedNode(bytes, stat, stat.Mzxid), _epoch);
            }
        }

        Post(notify);
    }
}

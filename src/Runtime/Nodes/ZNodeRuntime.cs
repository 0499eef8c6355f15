using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Keeps every bound value in step with the session: starts their reads when a session is established, marks them
/// stale while disconnected, fresh again after the session is re-attached (only nodes whose watches fired are
/// re-read), and invalidates and rebuilds them all after a session loss. Reads are pipelined (under a cap on requests
/// in flight when <see cref="ZkTypedStateOptions.MaxConcurrentReads"/> sets one).
/// </summary>
/// <remarks>
/// <para><b>One ordered stream.</b> Every node notification (<see cref="IZNode{T}.Changed"/>,
/// <see cref="IZNode{T}.Signaled"/>, <c>IOptionsMonitor.OnChange</c>) and the runtime's own
/// <see cref="SessionChanged"/> are delivered one at a time, in one total order, from one executor. Bound values take
/// in each session event on that same executor, so the order is fixed by the runtime, never by which service DI
/// happened to construct first:</para>
/// <list type="bullet">
/// <item>Disconnected and Lost are delivered after every value reflects them: when a handler hears Lost, every value
/// already reads Invalidated (or Stale under <see cref="SessionLossPolicy.ServeStaleAndRebuild"/>), and every node's
/// SessionLost signal came before it.</item>
/// <item>Established and Reconnected are delivered before any value acts on them: no value reads Fresh, and no node
/// signals Resynced or changes in the new connection, before the handler has heard Established/Reconnected for it.</item>
/// </list>
/// <para>Handlers run on that executor: keep them short and never block on it (await elsewhere instead).</para>
/// </remarks>
public sealed partial class ZNodeRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IZNodeEntry> _nodes = new(StringComparer.Ordinal);

    // Family member discovery, told of the session like the nodes (one per family, so few).
    private readonly ConcurrentDictionary<IZNodeSessionParticipant, byte> _participants = new();
    private readonly SerialExecutor _notifications;
    private readonly CancellationTokenSource _lifetime = new();
    private long _readsIssued;
    private int _readsInFlight;
    private int _peakReadsInFlight;
    private int _lossGeneration;
    private int _disposed;

    // What the stream has delivered about the session (written on the notification executor, read by Bind).
    private volatile Live? _live;

    // Session events not yet taken in by the stream, and whether one is waiting for its node notifications to drain
    // (both touched only on the notification executor, apart from Enqueue).
    private readonly ConcurrentQueue<SessionEvent> _pendingSessionEvents = new();
    private bool _deferredSessionEvent;

    /// <summary>Creates the runtime over a session owner.</summary>
    public ZNodeRuntime(ZooKeeperSession session, ZkTypedStateOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxFamilyNonMembers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxFamilyNonMembers, $"ZkTypedStateOptions.MaxFamilyNonMembers must be at least 1 (was {options.MaxFamilyNonMembers}).");
        }

        Session = session;
        Options = options;
        Logger = loggerFactory?.CreateLogger<ZNodeRuntime>() ?? NullLogger<ZNodeRuntime>.Instance;
        ReadLimiter = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentReads));
        _notifications = new SerialExecutor(Logger);
        Metrics = RuntimeMetrics.For(meterFactory);
        Metrics.Register(this);
        session.Changed += OnSessionChanged;
        if (session.IsEstablished && session.Client is { } client)
        {
            // Created after the session was established: adopt it (an Established still queued is then a no-op).
            _live = new Live(client, session.Epoch, client.State == ZooKeeperState.Connected, LineageReset: false);
        }
    }

    /// <summary>
    /// The session's changes, delivered in one total order with every node notification (see the remarks on
    /// <see cref="ZNodeRuntime"/>): Lost only once every value reads Invalidated; Established/Reconnected before any
    /// value reads Fresh in that connection. Subscribe here rather than to <see cref="ZooKeeperSession.Changed"/>, which
    /// is raised on the session's own executor and is not ordered with the values.
    /// </summary>
    public event Action<SessionEvent>? SessionChanged;

    /// <summary>The session owner.</summary>
    public ZooKeeperSession Session { get; }

    /// <summary>The runtime's options.</summary>
    public ZkTypedStateOptions Options { get; }

    /// <summary>Reads issued so far to load or refresh bound values (for diagnostics and tests).</summary>
    public long ReadsIssued => Interlocked.Read(ref _readsIssued);

    /// <summary>The most loading reads that were ever in flight at once (bounded by <see cref="ZkTypedStateOptions.MaxConcurrentReads"/> when it is positive).</summary>
    public int PeakReadsInFlight => Volatile.Read(ref _peakReadsInFlight);

    /// <summary>How many nodes are bound now (family members and non-members included).</summary>
    public int BoundNodeCount => _nodes.Count;

    /// <summary>Every bound node's path and status.</summary>
    public IReadOnlyDictionary<string, ZNodeStatus> NodeStatuses => _nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Status);

    /// <summary>The faulted nodes and why each is (a rejected payload or a failed read), for startup reports.</summary>
    internal IReadOnlyDictionary<string, Exception> NodeFaults =>
        _nodes.Select(kv => (kv.Key, Fault: kv.Value.Fault)).Where(f => f.Fault is not null).ToDictionary(f => f.Key, f => f.Fault!, StringComparer.Ordinal);

    /// <summary>
    /// Bumped the moment a session loss is known, before any node is told: every snapshot of an older generation is then
    /// served as invalidated (or stale, by policy) at once, so no reader can see an old value as current on one node
    /// while another already shows the loss.
    /// </summary>
    internal int LossGeneration => Volatile.Read(ref _lossGeneration);

    internal ILogger Logger { get; }

    /// <summary>True once <see cref="DisposeAsync"/> has begun: no value is updated or notified any more.</summary>
    internal bool IsStopped => Volatile.Read(ref _disposed) != 0;

    internal RuntimeMetrics Metrics { get; }

    internal SemaphoreSlim ReadLimiter { get; }

    internal CancellationToken Lifetime => _lifetime.Token;

    /// <summary>Binds (once) the node at <paramref name="path"/> and starts watching it.</summary>
    /// <remarks><c>beforeStart</c> runs after the value is bound and before its first read starts (a family announces the member there).</remarks>
    internal ZNodeValue<T> Bind<T>(ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators, Action<ZNodeValue<T>>? beforeStart = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        IZNodeEntry entry = _nodes.GetOrAdd(path, p => new ZNodeValue<T>(this, descriptor, p, optionsName, validators));
        if (entry is not ZNodeValue<T> value)
        {
            throw new InvalidOperationException($"The node {path} is already bound to another type ({entry.GetType().GenericTypeArguments[0]}).");
        }

        beforeStart?.Invoke(value);

        // A node bound once the stream has delivered a session starts at once (its read waits in the client's queue if
        // the connection is down right now); otherwise delivering Established starts it. Both may happen: idempotent.
        if (_live is { } live)
        {
            value.OnEstablished(live.Client, live.Epoch, live.Connected, live.LineageReset);
        }

        return value;
    }

    /// <summary>
    /// Unbinds a node (if it is still the one bound at its path): it is no longer told of the session and stops
    /// following ZooKeeper. Used for family names that are not members, beyond their bound.
    /// </summary>
    internal void Unbind(IZNodeEntry entry)
    {
        if (_nodes.TryRemove(new KeyValuePair<string, IZNodeEntry>(entry.Path, entry)))
        {
            entry.Detach();
            ForgetNode(entry);
        }
    }

    /// <summary>Adds a participant told of every session event (family member discovery); starts it if a session is live.</summary>
    internal void AddParticipant(IZNodeSessionParticipant participant)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_participants.TryAdd(participant, 0) && _live is { } live)
        {
            participant.OnEstablished(live.Client, live.Epoch, live.Connected, live.LineageReset);
        }
    }

    /// <summary>
    /// Completes when every node bound so far, and every family's discovered members, have been read in the current
    /// session.
    /// </summary>
    public Task WaitForAllLoadedAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_participants.Keys.Select(p => p.Loaded).Concat(_nodes.Values.Select(n => n.Loaded))).WaitAsync(cancellationToken);

    internal void CountRead()
    {
        Interlocked.Increment(ref _readsIssued);
        Metrics.ReadIssued();
    }

    /// <summary>Takes a read slot (at most <see cref="ZkTypedStateOptions.MaxConcurrentReads"/> are held at once).</summary>
    internal async ValueTask EnterReadAsync()
    {
        if (!Uncapped)
        {
            await ReadLimiter.WaitAsync(Lifetime).ConfigureAwait(false);
        }

        CountInFlight();
    }

    private void CountInFlight()
    {
        int inFlight = Interlocked.Increment(ref _readsInFlight);
        int peak = Volatile.Read(ref _peakReadsInFlight);
        while (inFlight > peak && Interlocked.CompareExchange(ref _peakReadsInFlight, inFlight, peak) != peak)
        {
            peak = Volatile.Read(ref _peakReadsInFlight);
        }
    }

    /// <summary>Takes a read slot if one is free now (the callback read path, which must not wait).</summary>
    internal bool TryEnterRead()
    {
        // As EnterReadAsync: uncapped, the limiter is not used (ExitRead gives nothing back to it).
        if (!Uncapped && !ReadLimiter.Wait(0))
        {
            return false;
        }

        CountInFlight();
        Interlocked.Increment(ref _callbackReads);
        return true;
    }

    // Reads started on the callback path (TryEnterRead succeeded), for tests.
    private long _callbackReads;

    /// <summary>Reads started on the callback path, which completes them where the reply is read (diagnostics and tests).</summary>
    internal long CallbackReads => Interlocked.Read(ref _callbackReads);

    /// <summary>Gives a read slot back.</summary>
    internal void ExitRead()
    {
        Interlocked.Decrement(ref _readsInFlight);
        if (!Uncapped)
        {
            ReadLimiter.Release();
            PumpBulkReads();
        }
    }

    /// <summary>Queues a notification on the one ordered stream; false once the runtime is stopping.</summary>
    internal bool Notify(Action notification) => _notifications.Post(notification);

    private void OnSessionChanged(SessionEvent e)
    {
        if (e.Kind == SessionEventKind.Lost)
        {
            // At once, before anything queued runs: from here every snapshot of the lost session is served as lost.
            Interlocked.Increment(ref _lossGeneration);
            Metrics.SessionLost();
        }

        _pendingSessionEvents.Enqueue(e);
        _notifications.Post(DeliverPending);
    }

    /// <summary>
    /// Runs on the notification executor: takes in the session events in order. Disconnected and Lost are applied to
    /// every value first and told to the app only after the notifications that produced (they are queued behind
    /// them), and no later session event is taken in before that; Established and Reconnected are told first, then
    /// applied, so anything the values do in that connection is queued behind the app's handler.
    /// </summary>
    private void DeliverPending()
    {
        while (!_deferredSessionEvent && _pendingSessionEvents.TryDequeue(out SessionEvent? e))
        {
            switch (e.Kind)
            {
                case SessionEventKind.Established:
                    RaiseSessionChanged(e);
                    if (e.ZxidLineageReset)
                    {
                        Logger.LogInformation("Session epoch {Epoch} started from zxid 0: {Count} bound value(s) forget their zxid high-water marks.", e.Epoch, _nodes.Count);
                    }

                    SetLive(new Live(e.Client, e.Epoch, Connected: true, e.ZxidLineageReset));
                    List<IBulkRead>? outer = ZNodeReadBatch.Begin();
                    try
                    {
                        foreach (IZNodeSessionParticipant node in Participants())
                        {
                            node.OnEstablished(e.Client, e.Epoch, connected: true, e.ZxidLineageReset);
                        }
                    }
                    finally
                    {
                        // Every node's first read in the new session, issued from one loop.
                        IssueBulkReads(ZNodeReadBatch.End(outer));
                    }

                    break;
                case SessionEventKind.Reconnected:
                    RaiseSessionChanged(e);
                    bool complete = e.Restored?.Complete ?? true;

                    // Every value not told otherwise reads Fresh again from here (O(1)); told are only the nodes that
                    // have something to do (see ReconnectTargets), or all of them if the watches could not be restored.
                    foreach (IZNodeSessionParticipant node in ReconnectTargets(e.Epoch, complete))
                    {
                        node.OnReconnected(e.Client, e.Epoch, complete);
                    }

                    break;
                case SessionEventKind.Disconnected:
                    // Every value reads Stale from here (O(1)); only nodes with Signaled subscribers are told, for
                    // their StatusChanged(Stale), before the app hears Disconnected.
                    foreach (IZNodeSessionParticipant node in DisconnectTargets(e.Epoch))
                    {
                        node.OnDisconnected();
                    }

                    RaiseAfterNodeNotifications(e);
                    break;
                case SessionEventKind.Lost:
                    ForgetConnection();
                    foreach (IZNodeSessionParticipant node in Participants())
                    {
                        node.OnSessionLost(Options.SessionLossPolicy, e.Reason);
                    }

                    RaiseAfterNodeNotifications(e);
                    break;
                default:
                    RaiseSessionChanged(e);
                    break;
            }
        }
    }

    /// <summary>The bound nodes, then the families' member discovery (which binds new members as it lists them).</summary>
    private IEnumerable<IZNodeSessionParticipant> Participants() => _nodes.Values.Concat<IZNodeSessionParticipant>(_participants.Keys);

    /// <summary>Tells the app after the node notifications queued so far, holding back later session events until then.</summary>
    private void RaiseAfterNodeNotifications(SessionEvent e)
    {
        _deferredSessionEvent = true;
        bool queued = _notifications.Post(() =>
        {
            _deferredSessionEvent = false;
            RaiseSessionChanged(e);
            DeliverPending();
        });
        if (!queued)
        {
            _deferredSessionEvent = false;
        }
    }

    private void RaiseSessionChanged(SessionEvent e)
    {
        try
        {
            SessionChanged?.Invoke(e);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "A SessionChanged handler threw for {Kind}.", e.Kind);
        }
    }

    /// <summary>Every bound node's status, for the metrics (no copy of the table).</summary>
    internal IEnumerable<ZNodeStatus> NodeStatusValues() => _nodes.Values.Select(n => n.Status);

    /// <summary>Stops notifications and reads; the session owner is disposed by its own owner.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Session.Changed -= OnSessionChanged;
        Metrics.Unregister(this);
        _lifetime.Cancel();
        await _notifications.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <summary>The session as the stream last delivered it.</summary>
    /// <remarks>
    /// <c>Connection</c>: how many disconnections the runtime has taken in (a node compares it with its own).
    /// <c>WatchesComplete</c>: whether the last re-attach restored every watch (a node catching up on it re-reads if not).
    /// </remarks>
    private sealed record Live(ZooKeeperClient Client, long Epoch, bool Connected, bool LineageReset, long Connection = 0, bool WatchesComplete = true);
}

using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>
/// A distributed mutex over a <see cref="ZooKeeperSession"/>, compatible with Apache Curator's <c>InterProcessMutex</c>
/// (a .NET holder and a Java holder on the same path exclude each other), whose holder gets a fencing token.
/// </summary>
/// <remarks>
/// <para><b>How it works</b> (Curator's recipe, node for node). A waiter creates <c>{lockPath}/_c_{uuid}-lock-NNNNNNNNNN</c>
/// as EPHEMERAL_SEQUENTIAL with Curator's protection (a create whose reply is lost is found again by its uuid, and a
/// create that is given up on is deleted, never left behind). The lowest node, sorted by the text after <c>lock-</c>,
/// holds the lock; every other waiter watches only the node just before its own (getData with a watch, as Curator does)
/// and looks again when it goes.</para>
/// <para><b>Fencing.</b> <see cref="DistributedLockHandle.FencingToken"/> is the czxid of the holder's node: the next
/// holder's node was created later, so its token is greater (see <see cref="LeaderTerm"/> for the argument). Pass it
/// to an <see cref="IFencedResource{TContext}"/> with every write made under the lock.</para>
/// <para><b>Reentrancy.</b> Curator's mutex is reentrant per Java thread. Async .NET code hops threads at every await,
/// so here the <em>instance</em> is the owner: <see cref="AcquireAsync"/> on an instance that already holds the lock
/// returns another handle on the same hold at once (same node, same token), and the node is deleted when the last handle
/// is disposed. Two instances (in one process or many) exclude each other. Use one instance per logical owner; do not
/// share one instance between flows that must exclude each other.</para>
/// <para><b>Session loss.</b> The hold ends with the session: <see cref="DistributedLockHandle.LostToken"/> is cancelled
/// when the session is lost (presumed or confirmed expired) or the node is deleted. A waiter whose session is lost
/// re-queues in the next session (at the back, like a new waiter).</para>
/// <para>Acquisitions of one instance are serialized; a cancelled or timed-out acquisition deletes its node before it
/// returns (within <see cref="DistributedLockOptions.CloseTimeout"/>; a create already sent is answered first).</para>
/// </remarks>
public sealed class DistributedLock : IAsyncDisposable
{
    private readonly ZooKeeperSession _session;
    private readonly DistributedLockOptions _options;
    private readonly ILogger _logger;
    private readonly ProtectedNodes _nodes;
    private readonly SemaphoreSlim _acquiring = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Action<SessionEvent> _sessionHandler;
    private readonly object _sync = new();
    private TaskCompletionSource _sessionChanged = NewSignal();
    private LockHold? _held;
    private int _disposed;

    /// <summary>Creates a lock (nothing is sent until <see cref="AcquireAsync"/>).</summary>
    /// <param name="session">The application's session owner (not disposed with the lock).</param>
    /// <param name="lockPath">The lock path, e.g. <c>/locks/orders</c>; the same path as Curator's <c>new InterProcessMutex(client, path)</c>.</param>
    /// <param name="options">Settings (copied); null for the defaults.</param>
    /// <param name="loggerFactory">Where to log; null for none.</param>
    /// <exception cref="ArgumentException">The path is invalid or the root, or an option is out of range.</exception>
    public DistributedLock(ZooKeeperSession session, string lockPath, DistributedLockOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ZooKeeperPath.Validate(lockPath);
        if (lockPath == "/")
        {
            throw new ArgumentException("The lock path cannot be the root.", nameof(lockPath));
        }

        _session = session;
        LockPath = lockPath;
        _options = (options ?? new DistributedLockOptions()).Clone();
        _options.Validate();
        IReadOnlyList<Acl> acl = _options.DefaultAcl is { } own ? [.. own] : session.DefaultAcl;
        session.ValidateAcl(acl, "DistributedLockOptions.DefaultAcl");
        _logger = (ILogger?)loggerFactory?.CreateLogger<DistributedLock>() ?? NullLogger.Instance;
        _nodes = new ProtectedNodes(lockPath, SequentialNodeNames.Lock, Encoding.UTF8.GetBytes(_options.OwnerId), acl, _options.CreateParentsAsContainers, _options.CloseTimeout, _logger);
        _sessionHandler = OnSessionEvent;
        _session.Changed += _sessionHandler;
    }

    /// <summary>The lock path.</summary>
    public string LockPath { get; }

    /// <summary>True while this instance holds the lock (a belief: fence writes with the handle's token).</summary>
    public bool IsHeld
    {
        get
        {
            lock (_sync)
            {
                return _held is { } hold && !hold.Lost.IsCancellationRequested && hold.Client.State == ZooKeeperState.Connected;
            }
        }
    }

    /// <summary>Waits until the lock is held (or this instance already holds it: reentrant, see the remarks).</summary>
    /// <param name="cancellationToken">Gives up waiting; the waiter's node is deleted.</param>
    /// <returns>The handle; dispose it to release.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is held.</exception>
    /// <exception cref="ObjectDisposedException">The lock or the session was disposed.</exception>
    public async Task<DistributedLockHandle> AcquireAsync(CancellationToken cancellationToken = default) =>
        await AcquireCoreAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException("Unreachable: an acquisition without a timeout returned nothing.");

    /// <summary>Waits up to <paramref name="timeout"/> for the lock.</summary>
    /// <param name="timeout">How long to wait (the connection and the create count against it).</param>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>The handle, or null when the timeout passed (the waiter's node is deleted).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite).</exception>
    public Task<DistributedLockHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout cannot be negative.");
        }

        return AcquireCoreAsync(timeout, cancellationToken);
    }

    /// <summary>Releases a hold (every handle) and stops; a pending acquisition is cancelled. The session is not disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session.Changed -= _sessionHandler;
        _lifetime.Cancel();
        LockHold? held;
        lock (_sync)
        {
            held = _held;
            _held = null;
        }

        if (held is not null)
        {
            await DeleteLockHoldAsync(held).ConfigureAwait(false);
        }

        // Waits for a pending acquisition to clean up its node (it sees the cancelled lifetime).
        await _acquiring.WaitAsync().ConfigureAwait(false);
        _acquiring.Release();
        await _nodes.WhenCleanedUpAsync(_options.CloseTimeout).ConfigureAwait(false);
    }

    /// <summary>Releases one handle's share of <paramref name="hold"/>.</summary>
    internal async ValueTask ReleaseAsync(LockHold hold)
    {
        lock (_sync)
        {
            hold.Count--;
            if (hold.Count > 0)
            {
                return;
            }

            if (ReferenceEquals(_held, hold))
            {
                _held = null;
            }
        }

        await DeleteLockHoldAsync(hold).ConfigureAwait(false);
    }

    private async Task<DistributedLockHandle?> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (TryReenter() is { } reentered)
        {
            return reentered;
        }

        // The timeout bounds the waiting behind other holders (and for this instance's other acquisition), not the
        // create: TimeSpan.Zero tries once, as Curator's acquire(0, unit) does.
        using var deadline = new CancellationTokenSource(timeout);
        using var operation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(operation.Token, deadline.Token);
        bool TimedOut() => deadline.IsCancellationRequested && !operation.IsCancellationRequested;
        try
        {
            await _acquiring.WaitAsync(timeout == TimeSpan.Zero ? operation.Token : waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (TimedOut())
        {
            return null;
        }

        try
        {
            if (TryReenter() is { } again)
            {
                return again;
            }

            LockHold hold = await AcquireNodeAsync(operation.Token, waiting.Token).ConfigureAwait(false);
            lock (_sync)
            {
                hold.Count = 1;
                _held = hold;
            }

            _logger.LogDebug("Lock {LockPath} acquired: {Node} (token 0x{Token:x}).", LockPath, hold.Path, hold.Czxid);
            return new DistributedLockHandle(hold);
        }
        catch (OperationCanceledException) when (TimedOut())
        {
            return null;
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(DistributedLock), "The lock was disposed while acquiring.");
        }
        finally
        {
            _acquiring.Release();
        }
    }

    /// <summary>Another handle on this instance's current hold, if any.</summary>
    private DistributedLockHandle? TryReenter()
    {
        lock (_sync)
        {
            if (_held is { } current && !current.Lost.IsCancellationRequested)
            {
                current.Count++;
                return new DistributedLockHandle(current);
            }
        }

        return null;
    }

    /// <summary>Creates a node and waits for its turn; re-queues in the next session when the session is lost meanwhile.</summary>
    /// <param name="ct">Cancels everything (the node is deleted).</param>
    /// <param name="waitCt">Also ends the waiting behind other holders (the timeout).</param>
    private async Task<LockHold> AcquireNodeAsync(CancellationToken ct, CancellationToken waitCt)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            ZooKeeperClient client = await _session.GetConnectedClientAsync(ct).ConfigureAwait(false);
            CreatedNode node;
            try
            {
                await _nodes.DeleteStaleAsync(client, ct).ConfigureAwait(false);
                node = await _nodes.CreateAsync(client, ProtectedNodes.NewProtectedId(), static () => true, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ProtectedNodes.IsSessionEnd(ex, client) && client.State.IsSessionLost())
            {
                continue; // The next session.
            }

            try
            {
                if (await WaitForTurnAsync(client, node, ct, waitCt).ConfigureAwait(false) is { } hold)
                {
                    return hold;
                }

                _logger.LogWarning("Lock node {Node} disappeared while waiting; queuing again.", node.Path);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ProtectedNodes.IsSessionEnd(ex, client))
            {
                // Gone with the session, unless the session is only presumed lost: then delete it from the next one.
                _nodes.ForgetPath(node.Path);
            }
            catch (Exception)
            {
                await _nodes.DeleteQuietlyAsync(client, node.Path).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Curator's lock loop: lowest holds, otherwise watch the predecessor and look again when it goes.</summary>
    /// <returns>The hold, or null when our node is gone (deleted by someone else).</returns>
    private async Task<LockHold?> WaitForTurnAsync(ZooKeeperClient client, CreatedNode node, CancellationToken ct, CancellationToken waitCt)
    {
        string name = SequentialNodeNames.NameOf(node.Path);
        while (true)
        {
            Task sessionChanged;
            lock (_sync)
            {
                sessionChanged = _sessionChanged.Task;
            }

            if (client.State.IsSessionLost())
            {
                throw new SessionExpiredException(null, $"The session 0x{client.SessionId:x} was lost while waiting for {LockPath}.");
            }

            try
            {
                List<string> sorted = _nodes.Names.Sort(await _nodes.ChildrenAsync(client, ct).ConfigureAwait(false));
                int index = sorted.IndexOf(name);
                if (index < 0)
                {
                    return null;
                }

                if (index == 0)
                {
                    var hold = new LockHold(this, node.Path, client, client.SessionId, node.Stat.Czxid);

                    // Watch our own node: deleted by someone else means the hold is over.
                    Stat? own = await client.ExistsAsync(node.Path, e => OnOwnNodeEvent(hold, e), ct).ConfigureAwait(false);
                    return own is null ? null : hold;
                }

                string predecessor = ZooKeeperPath.Combine(LockPath, sorted[index - 1]);
                var gone = NewSignal();
                try
                {
                    // getData rather than exists: on a node that is already gone it leaves no watch behind (as Curator does).
                    await client.GetDataAsync(predecessor, _ => gone.TrySetResult(), ct).ConfigureAwait(false);
                }
                catch (NoNodeException)
                {
                    continue;
                }

                waitCt.ThrowIfCancellationRequested();
                await Task.WhenAny(gone.Task, sessionChanged).WaitAsync(waitCt).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                // Same session, maybe: the client restores the watches; look again once connected.
                await ProtectedNodes.WaitForConnectedAsync(client, ct).ConfigureAwait(false);
            }
        }
    }

    private void OnOwnNodeEvent(LockHold hold, WatchedEvent watchedEvent)
    {
        if (watchedEvent.Type == WatchEventType.NodeDeleted)
        {
            CancelQuietly(hold.Lost);
        }
    }

    private void OnSessionEvent(SessionEvent sessionEvent)
    {
        if (sessionEvent.Kind is not (SessionEventKind.Lost or SessionEventKind.Closed or SessionEventKind.Established))
        {
            return;
        }

        LockHold? held;
        TaskCompletionSource changed;
        lock (_sync)
        {
            held = _held;
            changed = _sessionChanged;
            _sessionChanged = NewSignal();
        }

        if (held is not null && (sessionEvent.Kind != SessionEventKind.Established || sessionEvent.SessionId != held.SessionId))
        {
            _logger.LogWarning("Lock {LockPath} lost with its session 0x{Session:x} ({Kind}).", LockPath, held.SessionId, sessionEvent.Kind);
            CancelQuietly(held.Lost);
        }

        changed.TrySetResult();
    }

    private async Task DeleteLockHoldAsync(LockHold hold)
    {
        CancelQuietly(hold.Lost);
        await _nodes.DeleteQuietlyAsync(hold.Client, hold.Path).ConfigureAwait(false);
        _logger.LogDebug("Lock {LockPath} released: {Node}.", LockPath, hold.Path);
    }

    private void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException ex)
        {
            _logger.LogError(ex, "A callback on a lock handle's LostToken threw.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

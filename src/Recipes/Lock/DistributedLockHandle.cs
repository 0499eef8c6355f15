using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>
/// Proof of holding a <see cref="DistributedLock"/>, with the fencing token of the hold. Dispose it to release (once
/// every reentrant handle of the same hold is disposed, the lock node is deleted).
/// </summary>
/// <remarks>
/// Holding is a belief, exactly as leadership is: a paused holder can still believe it holds after its session expired
/// and the next holder took over. Fence every write with <see cref="FencingToken"/> (an <see cref="IFencedResource{TContext}"/>,
/// for example <see cref="DbFencedResource"/>).
/// </remarks>
public sealed class DistributedLockHandle : IAsyncDisposable
{
    private readonly LockHold _hold;
    private int _released;

    internal DistributedLockHandle(LockHold hold) => _hold = hold;

    /// <summary>
    /// The czxid of the lock node: strictly greater for every later hold of the same lock path (by any holder, .NET or
    /// Curator), for the same reasons as <see cref="LeaderTerm.FencingToken"/>.
    /// </summary>
    public long FencingToken => _hold.Czxid;

    /// <summary>The lock node, e.g. <c>/locks/orders/_c_3f2a…-lock-0000000007</c>.</summary>
    public string NodePath => _hold.Path;

    /// <summary>The session that owns the lock node.</summary>
    public long SessionId => _hold.SessionId;

    /// <summary>
    /// Cancelled when the hold is over or in doubt: released, the session lost (presumed or confirmed expired), or the lock
    /// node deleted by someone else. Pass it to the work done under the lock.
    /// </summary>
    public CancellationToken LostToken => _hold.Lost.Token;

    /// <summary>True until released or lost, while the session is connected.</summary>
    public bool IsHeld => Volatile.Read(ref _released) == 0 && !_hold.Lost.IsCancellationRequested && _hold.Client.State == ZooKeeperState.Connected;

    /// <summary>Releases this handle's share of the hold (idempotent); the last one deletes the lock node.</summary>
    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? _hold.Owner.ReleaseAsync(_hold) : ValueTask.CompletedTask;

    /// <inheritdoc />
    public override string ToString() => $"lock {NodePath} (token 0x{FencingToken:x}, session 0x{SessionId:x})";
}

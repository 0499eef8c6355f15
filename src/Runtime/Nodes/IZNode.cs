using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// A typed value that mirrors one ZooKeeper node: kept current by watches, never replaced by an older version,
/// served (marked stale) while disconnected, and invalidated when the session is lost.
/// </summary>
/// <typeparam name="T">The bound type.</typeparam>
public interface IZNode<T>
{
    /// <summary>The node's path.</summary>
    string Path { get; }

    /// <summary>The current snapshot (lock-free, allocation-free read).</summary>
    ZNodeSnapshot<T> Current { get; }

    /// <summary>The current value: <c>Current.Value</c>.</summary>
    T Value { get; }

    /// <summary>The current status: <c>Current.Status</c>.</summary>
    ZNodeStatus Status { get; }

    /// <summary>
    /// Raised whenever <see cref="Value"/> changes as the application sees it: a newer payload applied (exactly once, in
    /// mzxid order), the first load, deletion, the switch to the default on invalidation and the rebuild after it. Never
    /// for an equal value (an unchanged re-read, identical bytes, equal JSON) and never with an older one. Delivered on
    /// the runtime's one ordered stream, together with <see cref="Signaled"/> and <see cref="ZNodeRuntime.SessionChanged"/>.
    /// </summary>
    event Action<ZNodeChange<T>>? Changed;

    /// <summary>
    /// Raised for <see cref="ZNodeSignalKind.Resynced"/> and <see cref="ZNodeSignalKind.SessionLost"/> (always), and for
    /// a status or error change that came without a value change (<see cref="ZNodeSignalKind.StatusChanged"/>: stale,
    /// faulted, fresh again) — but not for a node's first load, which <see cref="Changed"/> and
    /// <see cref="WaitForLoadedAsync"/> announce. When both are raised for one transition, Changed comes first.
    /// </summary>
    event Action<ZNodeSignal<T>>? Signaled;

    /// <summary>
    /// Completes when the node has been read in the current session (fresh, missing or faulted), after the notifications
    /// of that load have been delivered: a subscriber added afterwards is not handed a change it has already seen.
    /// </summary>
    Task WaitForLoadedAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a value (creating the node and its parents if missing); with <paramref name="expectedVersion"/>, only if the version matches.</summary>
    Task<Stat> SetAsync(T value, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Read-modify-write with compare-and-set on the version, retried on conflict: <paramref name="update"/> may run
    /// several times and must be a pure function of its input. Creates the node (from the type's default) if missing.
    /// </summary>
    Task<T> UpdateAsync(Func<T, T> update, CancellationToken cancellationToken = default);

    /// <summary>Deletes the node; with <paramref name="expectedVersion"/>, only if the version matches. A missing node is not an error.</summary>
    Task DeleteAsync(int? expectedVersion = null, CancellationToken cancellationToken = default);
}

/// <summary>An applied change of a node's value.</summary>
/// <typeparam name="T">The bound type.</typeparam>
/// <param name="Path">The node's path.</param>
/// <param name="Previous">The snapshot before.</param>
/// <param name="Current">The snapshot after.</param>
public sealed record ZNodeChange<T>(string Path, ZNodeSnapshot<T> Previous, ZNodeSnapshot<T> Current);

/// <summary>What a <see cref="ZNodeSignal{T}"/> reports.</summary>
public enum ZNodeSignalKind
{
    /// <summary>The status changed (stale, faulted, fresh again…) without a new value.</summary>
    StatusChanged,

    /// <summary>After a reconnect or a new session the node is known to be current again.</summary>
    Resynced,

    /// <summary>The session was lost: the value is invalidated (or kept as stale, by policy) until re-read.</summary>
    SessionLost,
}

/// <summary>A status-level notification of a node.</summary>
/// <typeparam name="T">The bound type.</typeparam>
/// <param name="Path">The node's path.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Current">The snapshot after it happened.</param>
public sealed record ZNodeSignal<T>(string Path, ZNodeSignalKind Kind, ZNodeSnapshot<T> Current);

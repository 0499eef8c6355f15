namespace ZkTypedState.Client;

/// <summary>
/// Raised after the session was re-attached on a new connection and every watch was re-registered (SetWatches with
/// relativeZxid = <see cref="RelativeZxid"/>). By the time it is raised, the catch-up events the server fired for
/// one-shot watches (nodes that changed while the client was away) have already been delivered.
/// </summary>
/// <remarks>
/// The server re-adds persistent and persistent-recursive watches WITHOUT replaying changes missed while
/// disconnected: a cache built on them must check <see cref="PersistentPaths"/> and the trees under
/// <see cref="PersistentRecursivePaths"/> itself (by Stat/mzxid rather than by re-reading every payload).
/// </remarks>
/// <param name="SessionId">The re-attached session.</param>
/// <param name="RelativeZxid">The lastZxidSeen the watches were re-registered with.</param>
/// <param name="WatchedPaths">How many watched paths were re-registered, over all watch kinds.</param>
/// <param name="PersistentPaths">Paths with persistent watches, which may have missed changes.</param>
/// <param name="PersistentRecursivePaths">Roots of persistent-recursive watches, whose trees may have missed changes.</param>
public sealed record WatchesRestored(
    long SessionId,
    long RelativeZxid,
    int WatchedPaths,
    IReadOnlyList<string> PersistentPaths,
    IReadOnlyList<string> PersistentRecursivePaths)
{
    /// <summary>
    /// False when the server answered a SetWatches packet with an error: some watches may not be armed, so whoever
    /// relies on them must re-read (which re-arms them) instead of trusting that nothing changed.
    /// </summary>
    public bool Complete { get; init; } = true;
}

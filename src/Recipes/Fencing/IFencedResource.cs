namespace ZkTypedState.Recipes;

/// <summary>
/// A resource outside ZooKeeper that accepts a write only when the write carries a fencing token at least as high as
/// the highest token the resource has seen, checked and recorded atomically with the write itself.
/// </summary>
/// <remarks>
/// <para>This is what makes leader election safe for external side effects (the "paused leader": C1 leads, pauses,
/// its session expires, C2 leads and writes, C1 wakes and its delayed write arrives). Leadership in ZooKeeper cannot
/// stop C1's write; the resource can, because C2's write raised the resource's highest token above C1's.</para>
/// <para>Equal tokens are accepted (the same term may write many times); lower ones get <see cref="FencedOutException"/>
/// and change nothing. Implementations must make "check the token, record it, apply the write" one atomic unit
/// (one statement, one transaction, one compare-and-set).</para>
/// </remarks>
/// <typeparam name="TContext">What the guarded write works with (for <see cref="DbFencedResource"/>, the open connection and transaction).</typeparam>
public interface IFencedResource<TContext>
{
    /// <summary>The resource's name (several fenced resources can share one store).</summary>
    string Name { get; }

    /// <summary>
    /// Applies <paramref name="write"/> if <paramref name="fencingToken"/> is at least the highest token seen, and records
    /// it as the highest, atomically.
    /// </summary>
    /// <typeparam name="TResult">What the write returns.</typeparam>
    /// <param name="fencingToken">The writer's token (<see cref="LeaderTerm.FencingToken"/> of the term it believes it leads).</param>
    /// <param name="write">The write; it runs inside the resource's atomic unit and must not commit on its own.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is applied unless it already committed).</param>
    /// <returns>What <paramref name="write"/> returned.</returns>
    /// <exception cref="FencedOutException">A higher token was seen: nothing was applied.</exception>
    Task<TResult> WriteAsync<TResult>(long fencingToken, Func<TContext, CancellationToken, Task<TResult>> write, CancellationToken cancellationToken = default);

    /// <summary>The highest token the resource has accepted, or null if none yet.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<long?> GetHighestTokenAsync(CancellationToken cancellationToken = default);
}

/// <summary>Helpers for fenced writes.</summary>
public static class FencedResourceExtensions
{
    /// <summary>A fenced write that returns nothing.</summary>
    /// <typeparam name="TContext">The resource's write context.</typeparam>
    /// <param name="resource">The resource.</param>
    /// <param name="fencingToken">The writer's token.</param>
    /// <param name="write">The write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="FencedOutException">A higher token was seen: nothing was applied.</exception>
    public static Task WriteAsync<TContext>(this IFencedResource<TContext> resource, long fencingToken, Func<TContext, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(write);
        return resource.WriteAsync(
            fencingToken,
            async (context, ct) =>
            {
                await write(context, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <summary>
    /// A fenced write with the token of the election's current term.
    /// </summary>
    /// <typeparam name="TContext">The resource's write context.</typeparam>
    /// <typeparam name="TResult">What the write returns.</typeparam>
    /// <param name="election">The election whose current term supplies the token.</param>
    /// <param name="resource">The resource.</param>
    /// <param name="write">The write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="LeadershipLostException">This participant does not lead now; nothing was sent.</exception>
    /// <exception cref="FencedOutException">The resource has seen a higher token: nothing was applied.</exception>
    public static Task<TResult> WriteAsLeaderAsync<TContext, TResult>(this LeaderElection election, IFencedResource<TContext> resource, Func<TContext, CancellationToken, Task<TResult>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(election);
        ArgumentNullException.ThrowIfNull(resource);
        LeaderTerm term = election.CurrentTerm
            ?? throw new LeadershipLostException(null, $"This participant does not lead the election at '{election.ElectionPath}'; the write to '{resource.Name}' was not sent.");
        return resource.WriteAsync(term.FencingToken, write, cancellationToken);
    }
}

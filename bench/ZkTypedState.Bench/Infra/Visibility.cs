namespace ZkTypedState.Bench.Infra;

/// <summary>Waits until values are visible through <c>Current</c>, not only reported loaded.</summary>
/// <remarks>
/// <c>WaitForLoadedAsync</c>/<c>WaitForAllLoadedAsync</c> can complete a moment before the loaded value is published
/// (ZNodeValue marks the node loaded, with continuations run asynchronously, before it swaps the snapshot), so a
/// read right after may still see Loading. The runner times "values held" at the moment they are readable.
/// </remarks>
public static class Visibility
{
    /// <summary>Completes with the timestamp at which every node satisfied <paramref name="condition"/>, and how many did not at the first look.</summary>
    public static async Task<(long At, int Late)> WaitAsync<T>(IReadOnlyList<IZNode<T>> nodes, Func<ZNodeSnapshot<T>, bool> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        List<IZNode<T>>? late = null;
        foreach (IZNode<T> node in nodes)
        {
            if (!condition(node.Current))
            {
                (late ??= []).Add(node);
            }
        }

        if (late is null)
        {
            return (Clock.Now, 0);
        }

        using var waiter = new NodeWaiter<T>(late, condition);
        long at = await Waits.WithinAsync(waiter.Completed, timeout, what, ct);
        return (at, late.Count);
    }
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Bulk binding: the first reads of the nodes bound during one scope (the members one family listing found) are
/// collected instead of each starting its own read loop, and then issued from one loop under the runtime's read cap —
/// not one async state machine per node waiting for a read slot. Reads beyond the cap wait in a queue that is
/// drained as slots free up.
/// </summary>
internal sealed class ZNodeReadBatch
{
    // The batch being collected on this thread (bulk binding runs under the family's lock, on one thread).
    [ThreadStatic]
    private static List<IBulkRead>? t_collecting;

    /// <summary>Starts collecting first reads on this thread; returns the previous collector (scopes nest).</summary>
    public static List<IBulkRead>? Begin()
    {
        List<IBulkRead>? previous = t_collecting;
        t_collecting = [];
        return previous;
    }

    /// <summary>Stops collecting and returns what was collected.</summary>
    public static List<IBulkRead> End(List<IBulkRead>? previous)
    {
        List<IBulkRead> collected = t_collecting ?? [];
        t_collecting = previous;
        return collected;
    }

    /// <summary>
    /// Takes what was collected so far once at least <paramref name="atLeast"/> reads wait (else null): a long listing
    /// issues its reads as it binds, so the first replies are on their way while the last members are still bound.
    /// </summary>
    public static List<IBulkRead>? TakeIfAtLeast(int atLeast)
    {
        if (t_collecting is { } batch && batch.Count >= atLeast)
        {
            t_collecting = [];
            return batch;
        }

        return null;
    }

    /// <summary>True (and the read is taken) when a batch is being collected on this thread.</summary>
    public static bool TryCollect(IBulkRead read)
    {
        if (t_collecting is { } batch)
        {
            batch.Add(read);
            return true;
        }

        return false;
    }
}

/// <summary>A node whose first read was deferred to a batch: issues it with a read slot already held.</summary>
internal interface IBulkRead
{
    /// <summary>Issues the read; the slot is given back (<see cref="ZNodeRuntime.ExitRead"/>) when it completes.</summary>
    void IssueWithSlot();
}

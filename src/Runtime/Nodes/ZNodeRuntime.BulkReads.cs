using System.Collections.Concurrent;

namespace ZkTypedState;

/// <content>Issuing the first reads of nodes bound in bulk (<see cref="ZNodeReadBatch"/>) from one loop under the read cap.</content>
public sealed partial class ZNodeRuntime
{
    // First reads of bulk-bound nodes waiting for a slot (bounded by the nodes bound: each waits here at most once per
    // session; drained as slots free up).
    private readonly ConcurrentQueue<IBulkRead> _queuedBulkReads = new();

    /// <summary>True when <see cref="ZkTypedStateOptions.MaxConcurrentReads"/> is 0: reads are not capped.</summary>
    internal bool Uncapped => Options.MaxConcurrentReads == 0;

    /// <summary>Issues the collected first reads: at once without a cap, else as many as slots allow and the rest as slots free up.</summary>
    internal void IssueBulkReads(List<IBulkRead> reads)
    {
        if (reads.Count == 0)
        {
            return;
        }

        if (Uncapped)
        {
            foreach (IBulkRead read in reads)
            {
                CountInFlight();
                read.IssueWithSlot();
            }

            return;
        }

        foreach (IBulkRead read in reads)
        {
            _queuedBulkReads.Enqueue(read);
        }

        PumpBulkReads();
    }

    /// <summary>Issues queued bulk reads while slots are free (called after queueing and after every slot given back).</summary>
    private void PumpBulkReads()
    {
        while (!_queuedBulkReads.IsEmpty && Volatile.Read(ref _disposed) == 0)
        {
            if (!ReadLimiter.Wait(0))
            {
                return;
            }

            if (!_queuedBulkReads.TryDequeue(out IBulkRead? read))
            {
                ReadLimiter.Release();
                continue;
            }

            CountInFlight();
            read.IssueWithSlot();
        }
    }
}

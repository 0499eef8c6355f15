using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>
/// The first read of a node bound in bulk (<see cref="ZNodeReadBatch"/>): issued from the batch's loop with a slot
/// already held, and completed by a continuation on the reply rather than by an async read loop per node. Anything
/// beyond the plain answer (a missing node, a change meanwhile, an older answer, an error) goes on in the ordinary
/// read loop, so the rules stay those of <see cref="ReadLoopAsync"/>.
/// </content>
internal sealed partial class ZNodeValue<T> : IBulkRead
{
    public void IssueWithSlot()
    {
        ZooKeeperClient? client;
        Action<WatchedEvent>? watcher;
        long epoch;
        ReadTicket ticket;
        lock (_gate)
        {
            client = _client;
            watcher = _watcher;
            epoch = _machine.Epoch;
            if (client is null || watcher is null || epoch == 0 || _detached || !_machine.IsReading)
            {
                // Lost, unbound or already handled since the batch was collected: the session events took over.
                _runtime.ExitRead();
                return;
            }

            SyncConnectionLocked();
            ticket = _machine.TicketFor(epoch);
        }

        _runtime.CountRead();
        Task<ObservedNode> read;
        try
        {
            read = client.GetDataObservedAsync(Path, watcher, _runtime.Lifetime);
        }
        catch (Exception ex)
        {
            read = Task.FromException<ObservedNode>(ex);
        }

        // Never inline, even when already completed: a completion gives back a slot, which may issue the next read,
        // so inlining could recurse once per queued node.
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => Completed(read, client, watcher, ticket));
    }

    private void Completed(Task<ObservedNode> read, ZooKeeperClient client, Action<WatchedEvent> watcher, ReadTicket ticket)
    {
        _runtime.ExitRead();
        ReadCommand next;
        if (!read.IsCompletedSuccessfully)
        {
            next = StepOutcome(ticket, null, read.Exception?.InnerException ?? new OperationCanceledException());
        }
        else if (read.Result.Exists)
        {
            next = StepOutcome(ticket, read.Result, null);
        }
        else
        {
            // Deleted since it was listed: the read loop arms the exists watch (getData arms none on a missing node).
            next = ReadCommand.Start;
        }

        ContinueAfterRead(next, client, ticket.Epoch, watcher);
    }
}

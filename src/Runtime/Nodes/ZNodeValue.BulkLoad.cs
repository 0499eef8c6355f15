using Microsoft.Extensions.Logging;
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
        if (read.IsCompletedSuccessfully && read.Result.Exists)
        {
            ObservedNode result = read.Result;
            next = Step(() => _machine.ReadSucceeded(ticket, result, _runtime.LossGeneration));
        }
        else if (read.IsCompletedSuccessfully)
        {
            // Deleted since it was listed: the read loop arms the exists watch (getData arms none on a missing node).
            next = ReadCommand.Start;
        }
        else
        {
            Exception ex = read.Exception?.InnerException ?? new OperationCanceledException();
            next = ex switch
            {
                ConnectionLossException => Step(() => _machine.ReadLostConnection(ticket)),
                SessionExpiredException or AuthFailedException or ObjectDisposedException or OperationCanceledException => Step(() => _machine.ReadAborted(ticket)),
                _ => Failed(ex, ticket),
            };
        }

        if (_detached)
        {
            _ = RemoveWatchAsync(client, watcher);
            return;
        }

        if (next == ReadCommand.Start)
        {
            StartReads(client, ticket.Epoch, watcher);
        }
        else if (next == ReadCommand.StartAfterBackoff)
        {
            _ = ReadAfterBackoffAsync(client, ticket.Epoch, watcher);
        }
    }

    private ReadCommand Failed(Exception ex, ReadTicket ticket)
    {
        _runtime.Logger.LogError(ex, "Reading {Path} failed.", Path);
        return Step(() => _machine.ReadFailed(ticket, ex));
    }

    private async Task ReadAfterBackoffAsync(ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        if (await OlderAnswerBackoffAsync().ConfigureAwait(false))
        {
            StartReads(client, epoch, watcher);
        }
    }
}

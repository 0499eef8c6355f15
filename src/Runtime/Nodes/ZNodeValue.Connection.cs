using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>
/// The node's side of the session-wide connected/stale flag (<see cref="ZNodeRuntime.IsConnected"/>): a stale view of
/// a current snapshot for readers while disconnected, and catching up with the runtime's connection before any input,
/// so a node the runtime did not tell (no subscribers, nothing to do) acts exactly as if it had been told.
/// </content>
internal sealed partial class ZNodeValue<T>
{
    // The last stale view served and the snapshot it was made from (one object, swapped atomically): a reader polling a
    // node while disconnected allocates once per snapshot, not per read.
    private StaleViewOf? _staleView;

    /// <summary><paramref name="snapshot"/> (Fresh or Missing) as served while disconnected: the same value and metadata, Stale.</summary>
    private ZNodeSnapshot<T> StaleView(ZNodeSnapshot<T> snapshot)
    {
        StaleViewOf? cached = Volatile.Read(ref _staleView);
        if (cached is not null && ReferenceEquals(cached.Source, snapshot))
        {
            return cached.View;
        }

        var view = new StaleViewOf(snapshot, snapshot with { Status = ZNodeStatus.Stale });
        Volatile.Write(ref _staleView, view);
        return view.View;
    }

    /// <summary>
    /// Under the lock, before an input: takes in a disconnection the runtime has not told this node of (publishing and
    /// signalling Stale as the runtime's pass would, and registering for the re-attach), a re-attach the runtime has
    /// taken in but not yet told this node of (its pass may still be on the way, or the node took in the disconnection
    /// just as the runtime re-attached and was never registered), or the count of disconnections recovered from meanwhile.
    /// </summary>
    private void SyncConnectionLocked()
    {
        long epoch = _machine.Epoch;
        while (epoch != 0 && _runtime.TryGetConnection(epoch, out bool connected, out long connection, out bool watchesComplete))
        {
            if (connected)
            {
                if (!_machine.Connected || (!watchesComplete && _machine.Connection < connection))
                {
                    // As the runtime's pass would tell it (the pass then finds it done): re-read if the watches were not
                    // all restored, and apply an answer parked while disconnected.
                    TakeInReconnectLocked(epoch, watchesComplete, connection);
                }
                else
                {
                    _machine.CatchUpConnection(connection);
                }

                return;
            }

            if (_runtime.MarkDisconnected(this, epoch, out connection))
            {
                Handle(_machine.Disconnected(connection));
                return;
            }

            // The runtime re-attached between the two looks (and its pass may have missed this node): look again.
        }
    }

    /// <summary>Under the lock: the re-attach after disconnection <paramref name="connection"/>, then the answer parked meanwhile, if any.</summary>
    private void TakeInReconnectLocked(long epoch, bool watchesComplete, long connection)
    {
        Handle(_machine.Reconnected(epoch, watchesComplete, connection));
        if (!_machine.TakeParked(out ReadTicket ticket, out ObservedNode result))
        {
            return;
        }

        ZNodeStep<T> step = _machine.ReadSucceeded(ticket, result, _runtime.LossGeneration);
        Handle(step, fromReadLoop: true);
        if (_client is { } client && _watcher is { } watcher)
        {
            ContinueReads(step.Read, client, epoch, watcher);
        }
    }

    private sealed record StaleViewOf(ZNodeSnapshot<T> Source, ZNodeSnapshot<T> View);
}

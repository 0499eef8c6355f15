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
    /// signalling Stale as the runtime's pass would, and registering for the re-attach), or the count of disconnections
    /// recovered from meanwhile.
    /// </summary>
    private void SyncConnectionLocked()
    {
        long epoch = _machine.Epoch;
        if (epoch == 0 || !_runtime.TryGetConnection(epoch, out bool connected, out long connection))
        {
            return;
        }

        if (connected)
        {
            _machine.CatchUpConnection(connection);
        }
        else if (_runtime.MarkDisconnected(this, epoch, out connection))
        {
            Handle(_machine.Disconnected(connection));
        }
    }

    private sealed record StaleViewOf(ZNodeSnapshot<T> Source, ZNodeSnapshot<T> View);
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The pure rules of one bound node, with no I/O, no clock and no lock of its own (its owner serializes every call):
/// which read result is applied, what status and value are served, which transition notifies, and when to read.
/// </summary>
/// <remarks>
/// <para>Ordering: a payload is applied only if its mzxid is not older than the newest zxid held, and "missing" only if
/// the reply that reported it observed a zxid not older than that — never by <c>version</c>, which restarts at 0 when
/// a node is re-created. An older answer (a lagging server) is not applied; the owner re-reads after a backoff that
/// grows with every older answer in a row.</para>
/// <para>Notifications: <see cref="ZNodeStep{T}.Change"/> whenever the served value changes (by the type's equality),
/// so the first load, a switch to defaults on invalidation or deletion, and the rebuild all notify while an equal value
/// never does. <see cref="ZNodeStep{T}.Signal"/> for a forced kind (Resynced, SessionLost), or for a status or error
/// change that came without a value change — except the first load of a node (Loading to Fresh/Missing), which is
/// announced by <c>Loaded</c> and by the change, not by a signal.</para>
/// </remarks>
internal sealed partial class ZNodeStateMachine<T>
{
    private readonly string _path;
    private readonly T _default;
    private readonly Func<byte[], Stat, ParseResult<T>> _parse;
    private ZNodeSnapshot<T> _snapshot;

    // Content: what the node held at the last applied read.
    private bool _hasContent;
    private bool _exists;
    private byte[]? _bytes;
    private T _good;
    private bool _hasGood;
    private Stat? _goodStat;
    private Exception? _fault;
    private byte[]? _rejectedBytes;
    private Stat? _rejectedStat;
    private long _knownZxid;
    private long _observedZxid;
    private long _contentEpoch;

    // Session: which session the node is live in and what it must do there.
    private int _generation;
    private long _epoch;
    private long _connection;
    private bool _connected;
    private bool _loadedThisEpoch;
    private bool _invalidated;
    private Exception? _invalidationReason;
    private bool _resyncOnLoad;
    private bool _reading;
    private bool _dirty;
    private bool _readAfterReconnect;
    private bool _resyncPending;
    private int _olderInARow;

    // An answer that arrived while the node had taken in a disconnection and not yet the re-attach: applied when the
    // re-attach is taken in (at most one: a node has one read in flight).
    private ParkedRead? _parked;

    // The disconnection whose re-attach the node last took in (-1: none), so the runtime's pass and the node's own
    // catch-up act once between them; a mere count catch-up (CatchUpConnection) does not set it.
    private long _reattachedAfter = -1;

    public ZNodeStateMachine(string path, T defaultValue, Func<byte[], Stat, ParseResult<T>> parse, int lossGeneration)
    {
        _path = path;
        _default = defaultValue;
        _good = defaultValue;
        _parse = parse;
        _generation = lossGeneration;
        _snapshot = new ZNodeSnapshot<T>(defaultValue, ZNodeStatus.Loading, null, 0, 0, null) { LossGeneration = lossGeneration };
    }

    /// <summary>The snapshot last published.</summary>
    public ZNodeSnapshot<T> Snapshot => _snapshot;

    /// <summary>The epoch of the session the node is live in (0 after a loss, until the next session).</summary>
    public long Epoch => _epoch;

    /// <summary>True once the node has been read (or has failed to read) in the current session.</summary>
    public bool IsLoaded => _loadedThisEpoch;

    /// <summary>True while a read loop is running.</summary>
    public bool IsReading => _reading;

    /// <summary>The highest zxid the node has applied or been told of: answers older than this are not applied.</summary>
    public long KnownZxid => _knownZxid;

    /// <summary>How many older answers came in a row (drives the re-read backoff).</summary>
    public int OlderAnswersInARow => _olderInARow;

    /// <summary>The ticket for the next read of the loop started in <paramref name="loopEpoch"/>.</summary>
    public ReadTicket TicketFor(long loopEpoch) => new(loopEpoch, _connection);

    /// <summary>The re-read delay after <paramref name="olderInARow"/> older answers: 10 ms doubling, capped at 1 s (before jitter).</summary>
    public static TimeSpan Backoff(int olderInARow) =>
        TimeSpan.FromMilliseconds(Math.Min(1000, 10 * Math.Pow(2, Math.Clamp(olderInARow - 1, 0, 16))));

    /// <summary>
    /// What a reader is served from a snapshot of a session already known to be lost, before the node itself has been
    /// told: invalidated (or stale, by policy), never current.
    /// </summary>
    public static ZNodeSnapshot<T> ServedAfterLoss(ZNodeSnapshot<T> snapshot, SessionLossPolicy policy, T defaultValue, string path)
    {
        if (policy == SessionLossPolicy.ServeStaleAndRebuild)
        {
            return snapshot.Status is ZNodeStatus.Fresh or ZNodeStatus.Missing ? snapshot with { Status = ZNodeStatus.Stale } : snapshot;
        }

        return snapshot.Status == ZNodeStatus.Invalidated
            ? snapshot
            : new ZNodeSnapshot<T>(defaultValue, ZNodeStatus.Invalidated, null, snapshot.ObservedZxid, snapshot.SessionEpoch, new SessionExpiredException(path, "ZooKeeper: the session was lost.")) { LossGeneration = snapshot.LossGeneration };
    }

    // ---- session inputs ----

    /// <summary>
    /// A session is established (or the node is bound into one): read it there. <c>lineageReset</c>: the session started
    /// from zxid 0 knowingly (ensemble rebuilt), so forget the zxid high-water marks.
    /// </summary>
    public ZNodeStep<T> Established(long epoch, bool connected, int generation, bool lineageReset)
    {
        if (_epoch == epoch)
        {
            return Nothing();
        }

        _resyncOnLoad = _hasContent;
        _generation = generation;
        _epoch = epoch;
        _connected = connected;
        _loadedThisEpoch = false;
        _reading = false;
        _dirty = false;
        _readAfterReconnect = false;
        _resyncPending = false;
        _olderInARow = 0;
        _parked = null;
        if (lineageReset)
        {
            _knownZxid = 0;
            _observedZxid = 0;
        }

        // Published: a value of an earlier session is not Fresh in this one until it is read here.
        return Publish(null, StartRead());
    }

    /// <summary>The connection is lost (the session may live on): the value is served stale.</summary>
    public ZNodeStep<T> Disconnected() => Disconnected(_connection + 1);

    /// <summary>
    /// The connection numbered <paramref name="connection"/> (the runtime's count of disconnections) is lost; told again
    /// for the same one it does nothing, so the runtime's pass and a node catching up on its own never signal twice.
    /// </summary>
    public ZNodeStep<T> Disconnected(long connection)
    {
        if (!_connected && _connection >= connection)
        {
            return Nothing();
        }

        _connected = false;
        _connection = Math.Max(_connection, connection);
        return Publish(null, ReadCommand.None);
    }

    /// <summary>The same session was re-attached and its watches re-registered (<paramref name="watchesComplete"/> false: they may not be).</summary>
    public ZNodeStep<T> Reconnected(long epoch, bool watchesComplete) => Reconnected(epoch, watchesComplete, Math.Max(_connection, _reattachedAfter + 1));

    /// <summary>
    /// The re-attach after the runtime's disconnection numbered <paramref name="connection"/>; told again for the same
    /// one it does nothing, so the runtime's pass and a node catching up on its own never act twice. An answer parked
    /// meanwhile is then handed out by <see cref="TakeParked"/>.
    /// </summary>
    public ZNodeStep<T> Reconnected(long epoch, bool watchesComplete, long connection)
    {
        if (_epoch != epoch || epoch == 0 || (_connected && _reattachedAfter >= connection))
        {
            return Nothing();
        }

        _connected = true;
        _connection = Math.Max(_connection, connection);
        _reattachedAfter = connection;
        if (!watchesComplete || _readAfterReconnect)
        {
            // No watch may be armed: re-read (which re-arms it), and signal once that read is applied.
            _readAfterReconnect = false;
            _resyncPending = true;
            return Nothing(StartRead());
        }

        if (_reading || !_loadedThisEpoch)
        {
            // A catch-up event (delivered before this) started a re-read, or its answer is parked: signal when it has
            // been applied.
            _resyncPending = true;
            return Nothing();
        }

        return Publish(ZNodeSignalKind.Resynced, ReadCommand.None);
    }

    /// <summary>The answer parked while disconnected, once the re-attach is taken in: the owner applies it with <see cref="ReadSucceeded"/>.</summary>
    public bool TakeParked(out ReadTicket ticket, out ObservedNode result)
    {
        if (_parked is { } parked && _connected)
        {
            _parked = null;
            (ticket, result) = (parked.Ticket, parked.Result);
            return true;
        }

        (ticket, result) = (default, null!);
        return false;
    }

    /// <summary>The session is lost: nothing of it is applied any more; the value is invalidated (or kept stale).</summary>
    public ZNodeStep<T> SessionLost(SessionLossPolicy policy, Exception reason, int generation)
    {
        _epoch = 0;
        _generation = generation;
        _connected = false;
        _loadedThisEpoch = false;
        _reading = false;
        _dirty = false;
        _readAfterReconnect = false;
        _resyncPending = false;
        _olderInARow = 0;
        _parked = null;
        _invalidated = policy == SessionLossPolicy.InvalidateAndRebuild;
        _invalidationReason = reason;
        return Publish(ZNodeSignalKind.SessionLost, ReadCommand.None);
    }

    /// <summary>A watch of the session <paramref name="epoch"/> fired.</summary>
    public ZNodeStep<T> WatchFired(long epoch) => _epoch == epoch && epoch != 0 ? Nothing(StartRead()) : Nothing();

    // ---- read outcomes ----

    /// <summary>A read answered. <c>generation</c> is the runtime's loss generation now: a read of a session known lost is dropped.</summary>
    public ZNodeStep<T> ReadSucceeded(ReadTicket ticket, ObservedNode result, int generation)
    {
        if (ticket.Epoch != _epoch || ticket.Epoch == 0)
        {
            return Nothing();
        }

        if (generation != _generation)
        {
            // The session this read belongs to is known to be lost (this node just has not been told yet): drop it.
            _reading = false;
            return Nothing();
        }

        if (IsOlder(result))
        {
            _olderInARow++;
            _dirty = false;
            return Nothing(ReadCommand.StartAfterBackoff);
        }

        if (!_connected)
        {
            // Answered after the app was told Disconnected, perhaps already on the next connection: applied only once the
            // re-attach is taken in, so no value changes between the app's Disconnected and Reconnected (the read stays
            // in progress meanwhile: no second read is started).
            _parked = new ParkedRead(ticket, result);
            return Nothing();
        }

        _olderInARow = 0;
        (bool applied, ZNodePayloadException? rejected) = ApplyContent(result);
        bool resync = _resyncPending || (_resyncOnLoad && !_loadedThisEpoch);
        _resyncPending = false;
        _loadedThisEpoch = true;
        _invalidated = false;
        _contentEpoch = ticket.Epoch;
        ReadCommand next = ReadCommand.None;
        if (_dirty)
        {
            _dirty = false;
            next = ReadCommand.Start;
        }
        else
        {
            _reading = false;
        }

        return Publish(resync ? ZNodeSignalKind.Resynced : null, next, applied, rejected);
    }

    /// <summary>A read failed with connection loss: its watch may not be armed.</summary>
    public ZNodeStep<T> ReadLostConnection(ReadTicket ticket)
    {
        if (ticket.Epoch != _epoch || ticket.Epoch == 0)
        {
            return Nothing();
        }

        if (_connected && ticket.Connection < _connection)
        {
            // The connection it was issued on is gone and the session is already re-attached (the re-attach was
            // handled while this read was still in flight): read again now, not at some later reconnect.
            return Nothing(ReadCommand.Start);
        }

        _reading = false;
        _readAfterReconnect = true;
        return Nothing();
    }

    /// <summary>A read ended because the session is gone or the runtime is stopping: the session events take it from here.</summary>
    public ZNodeStep<T> ReadAborted(ReadTicket ticket)
    {
        if (ticket.Epoch == _epoch && ticket.Epoch != 0)
        {
            _reading = false;
        }

        return Nothing();
    }

    /// <summary>A read failed for another reason (e.g. no read permission): the node is faulted.</summary>
    public ZNodeStep<T> ReadFailed(ReadTicket ticket, Exception error)
    {
        if (ticket.Epoch != _epoch || ticket.Epoch == 0)
        {
            return Nothing();
        }

        _reading = false;
        _fault = error;
        _rejectedBytes = null;
        _rejectedStat = null;
        _hasContent = true;
        _loadedThisEpoch = true;
        return Publish(null, ReadCommand.None);
    }

    /// <summary>Read-your-writes: the node's own write, applied by the same zxid rules as any read.</summary>
    public ZNodeStep<T> OwnWrite(long epoch, byte[] bytes, Stat stat, int generation)
    {
        var result = new ObservedNode(bytes, stat, stat.Mzxid);
        if (epoch == 0 || epoch != _epoch || !_loadedThisEpoch || generation != _generation || IsOlder(result))
        {
            return Nothing();
        }

        (bool applied, ZNodePayloadException? rejected) = ApplyContent(result);
        return Publish(null, ReadCommand.None, applied, rejected);
    }

    private sealed record ParkedRead(ReadTicket Ticket, ObservedNode Result);
}

using System.Collections.Concurrent;

namespace ZkTypedState;

/// <content>
/// "Connected / stale" is session-wide: <see cref="IsConnected"/> flips once per Disconnected/Reconnected on the
/// stream, and <see cref="ZNodeValue{T}.Current"/> serves a Fresh or Missing snapshot as Stale while it is off — so
/// a reconnect costs O(changed), not a pass over every bound node. Told individually are only the nodes that have
/// something to do: those with <c>Signaled</c> subscribers (their StatusChanged(Stale) and Resynced), and those that
/// took in the disconnection themselves (an input arrived meanwhile: a watch fired, a read was lost) and must finish
/// the re-attach (re-read, or signal once their re-read is applied).
/// </content>
public sealed partial class ZNodeRuntime
{
    // Guards the flips of _live's Connected flag against nodes registering for the re-attach, so a node that takes in
    // a disconnection is either in the set the next Reconnected drains, or sees the runtime connected again.
    private readonly object _reconnectGate = new();
    private readonly HashSet<IZNodeEntry> _reconnectSet = new(ReferenceEqualityComparer.Instance);

    // Nodes with at least one Signaled subscriber (bounded by the bound nodes).
    private readonly ConcurrentDictionary<IZNodeEntry, byte> _signalSubscribers = new(ReferenceEqualityComparer.Instance);

    /// <summary>True while the stream's last word on the session is that it is connected: values may read Fresh.</summary>
    internal bool IsConnected => _live is { Connected: true };

    private int _lastReconnectTold = -1;

    // Disconnections taken in over the runtime's life (never reset, so a node's count and the runtime's compare
    // across sessions); guarded by _reconnectGate.
    private long _disconnections;

    /// <summary>How many bound nodes the last re-attach told individually (-1: none yet); for diagnostics and tests.</summary>
    internal int LastReconnectTold => Volatile.Read(ref _lastReconnectTold);

    /// <summary>How many nodes must be told of the next re-attach (for diagnostics and tests).</summary>
    internal int PendingReconnectCount
    {
        get
        {
            lock (_reconnectGate)
            {
                return _reconnectSet.Count;
            }
        }
    }

    /// <summary>
    /// The runtime's connection as a node of session <paramref name="epoch"/> should take it in (and, once re-attached,
    /// whether the watches were all restored); false for another session or none.
    /// </summary>
    internal bool TryGetConnection(long epoch, out bool connected, out long connection, out bool watchesComplete)
    {
        if (_live is { } live && live.Epoch == epoch)
        {
            connected = live.Connected;
            connection = live.Connection;
            watchesComplete = live.WatchesComplete;
            return true;
        }

        connected = false;
        connection = 0;
        watchesComplete = true;
        return false;
    }

    /// <summary>
    /// A node of session <paramref name="epoch"/> takes in the disconnection: registered for the next re-attach, and
    /// true with the disconnection's number — or false if the runtime is (again) connected or in another session.
    /// </summary>
    internal bool MarkDisconnected(IZNodeEntry node, long epoch, out long connection)
    {
        lock (_reconnectGate)
        {
            if (_live is { Connected: false } live && live.Epoch == epoch)
            {
                _reconnectSet.Add(node);
                connection = live.Connection;
                return true;
            }
        }

        connection = 0;
        return false;
    }

    /// <summary>A node must hear the next re-attach whatever the runtime knows now (a read of it was lost to the connection).</summary>
    internal void TrackForReconnect(IZNodeEntry node)
    {
        lock (_reconnectGate)
        {
            _reconnectSet.Add(node);
        }
    }

    /// <summary>Keeps the set of nodes with Signaled subscribers (called by the node when its first subscriber comes or its last goes).</summary>
    internal void SetSignalSubscriber(IZNodeEntry node, bool subscribed)
    {
        if (subscribed)
        {
            _signalSubscribers.TryAdd(node, 0);
        }
        else
        {
            _signalSubscribers.TryRemove(node, out _);
        }
    }

    private void SetLive(Live live)
    {
        lock (_reconnectGate)
        {
            // A new session: every node is told (Established), nothing is pending from the old one.
            _reconnectSet.Clear();
            _live = live with { Connection = _disconnections };
        }
    }

    private void ForgetConnection()
    {
        lock (_reconnectGate)
        {
            _reconnectSet.Clear();
            _live = null;
        }
    }

    private void ForgetNode(IZNodeEntry node)
    {
        _signalSubscribers.TryRemove(node, out _);
        lock (_reconnectGate)
        {
            _reconnectSet.Remove(node);
        }
    }

    /// <summary>Flips to disconnected (for this session); returns who must be told: nodes with subscribers, and the families.</summary>
    private IEnumerable<IZNodeSessionParticipant> DisconnectTargets(long epoch)
    {
        lock (_reconnectGate)
        {
            if (_live is not { } live || live.Epoch != epoch)
            {
                return [];
            }

            if (live.Connected)
            {
                _live = live with { Connected = false, Connection = ++_disconnections };
            }
        }

        return [.. _signalSubscribers.Keys, .. _participants.Keys];
    }

    /// <summary>
    /// Flips to connected (for this session); returns who must be told: the nodes that took in the disconnection, the
    /// nodes with subscribers and the families — or every node when the watches could not all be restored.
    /// </summary>
    private IEnumerable<IZNodeSessionParticipant> ReconnectTargets(long epoch, bool watchesComplete)
    {
        IZNodeEntry[] pending;
        lock (_reconnectGate)
        {
            if (_live is not { } live || live.Epoch != epoch)
            {
                return [];
            }

            _live = live with { Connected = true, WatchesComplete = watchesComplete };
            pending = [.. _reconnectSet];
            _reconnectSet.Clear();
        }

        if (!watchesComplete)
        {
            // Rare: re-registering the watches failed, so every node re-reads to re-arm its watch.
            Volatile.Write(ref _lastReconnectTold, _nodes.Count);
            return Participants();
        }

        var told = new HashSet<IZNodeEntry>(pending, ReferenceEqualityComparer.Instance);
        told.UnionWith(_signalSubscribers.Keys);
        Volatile.Write(ref _lastReconnectTold, told.Count);
        return [.. told, .. _participants.Keys];
    }
}

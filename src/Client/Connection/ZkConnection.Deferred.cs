using System.Diagnostics;
using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client.Connection;

/// <content>
/// Requests issued on the receive loop itself — the runtime's re-read of a changed node, started by its watch as the
/// notification is read — are written by the receive loop once the frames at hand are processed, instead of waking
/// the write loop: no thread hop between a notification and its getData, and one socket write for all the requests
/// a receive buffer produced. Whoever holds the write turn encodes (assigning xids) and writes, so wire order stays
/// xid order and the frame writer keeps a single writer; a turn that is busy, or requests already queued, send them
/// through the queue instead, behind what is there.
/// </content>
internal sealed partial class ZkConnection
{
    // The receive loop this thread is running right now (set only while frames are processed, never across an await).
    [ThreadStatic]
    private static ZkConnection? t_receiving;

    // Requests issued while the receive loop processed frames; touched only by that loop's thread.
    private readonly List<Call> _deferred = [];

    // The single-writer turn: the write loop holds it from the start until its priming (auth, SetWatches) is written.
    private readonly SemaphoreSlim _writeTurn = new(0, 1);
    private readonly JuteWriter _directWriter = new(1024);
    private readonly TaskCompletionSource _directWriteFault = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationToken _stopToken;
    private long _directWrites;

    /// <summary>Socket writes made by the receive loop itself (diagnostics and tests).</summary>
    public long DirectWrites => Interlocked.Read(ref _directWrites);

    /// <summary>Takes <paramref name="call"/> when the current thread is this connection's receive loop: it is written after the frames at hand.</summary>
    public bool TryDefer(Call call)
    {
        if (!ReferenceEquals(t_receiving, this))
        {
            return false;
        }

        _deferred.Add(call);
        return true;
    }

    /// <summary>
    /// Writes <paramref name="call"/> on the calling thread when the connection is idle — nothing in flight, nothing
    /// queued, no write under way — so a lone request (a sequential writer's setData) costs no hop to the write loop.
    /// Returns false (the caller queues it) otherwise: requests issued in bursts are batched by the write loop.
    /// </summary>
    public bool TryWriteNow(IConnectionOwner owner, Call call)
    {
        lock (_gate)
        {
            if (_failed || _pending.Count > 0)
            {
                return false;
            }
        }

        if (owner.HasQueued || !_writeTurn.Wait(0))
        {
            return false;
        }

        // Queued meanwhile by another thread: that one goes first, through the write loop.
        if (owner.HasQueued)
        {
            _writeTurn.Release();
            return false;
        }

        Encode(owner, _directWriter, call);
        WriteTurnBuffer();
        return true;
    }

    /// <summary>Writes the deferred requests now if the write turn is free and nothing is queued before them; else queues them.</summary>
    private void FlushDeferred(IConnectionOwner owner)
    {
        if (_deferred.Count == 0)
        {
            return;
        }

        if (owner.HasQueued || !_writeTurn.Wait(0))
        {
            RequeueDeferred(owner);
            return;
        }

        // Failing a call (oversize, lost) may call back into the runtime, which may issue the next read: loop until none is left.
        while (_deferred.Count > 0)
        {
            Call[] batch = [.. _deferred];
            _deferred.Clear();
            foreach (Call call in batch)
            {
                Encode(owner, _directWriter, call);
            }
        }

        WriteTurnBuffer();
    }

    /// <summary>Writes what was encoded under the write turn and gives the turn back once it is written.</summary>
    private void WriteTurnBuffer()
    {
        if (_directWriter.Length == 0)
        {
            _writeTurn.Release();
            return;
        }

        Interlocked.Increment(ref _directWrites);
        ValueTask write;
        try
        {
            write = _stream.WriteAsync(_directWriter.WrittenMemory, _stopToken);
        }
        catch (Exception ex)
        {
            _directWriteFault.TrySetException(ex);
            return;
        }

        if (write.IsCompletedSuccessfully)
        {
            EndDirectWrite();
            return;
        }

        _ = AwaitDirectWriteAsync(write);
    }

    /// <summary>Hands the deferred requests to the queue, in order (the connection is ending, or another write is under way).</summary>
    private void RequeueDeferred(IConnectionOwner owner)
    {
        while (_deferred.Count > 0)
        {
            Call[] batch = [.. _deferred];
            _deferred.Clear();
            foreach (Call call in batch)
            {
                owner.Requeue(call);
            }
        }
    }

    private async Task AwaitDirectWriteAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
            EndDirectWrite();
        }
        catch (Exception ex)
        {
            // The requests are in the reply FIFO: the connection's end fails them. The turn stays taken; nothing more is written.
            _directWriteFault.TrySetException(ex);
        }
    }

    private void EndDirectWrite()
    {
        Volatile.Write(ref _lastSend, Stopwatch.GetTimestamp());
        _directWriter.Reset();
        _writeTurn.Release();
    }
}

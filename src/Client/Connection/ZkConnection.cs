using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Framing;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;

namespace ZkTypedState.Client.Connection;

/// <summary>
/// One TCP connection to one server: the handshake, then three loops that end together — a reader that
/// matches replies to requests by xid, a writer that batches queued requests into few socket writes, and a
/// watchdog that sends pings and drops the connection when the server has been silent for the read timeout
/// (2/3 of the negotiated session timeout). Loss is detected by that deadline or by the socket closing,
/// never by polling the socket.
/// </summary>
internal sealed partial class ZkConnection : IAsyncDisposable
{
    private const int WriteBatchBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly int _maxFrameSize;
    private readonly int _maxRequestSize;
    private readonly object _gate = new();
    private readonly Queue<Call> _pending = new();
    private readonly Queue<AuthCall> _authPending = new();
    private bool _failed;
    private long _lastReceive;
    private long _lastSend;
    private long _framesReceived;

    private ZkConnection(HostEndpoint host, Socket socket, Stream stream, int maxFrameSize, int maxRequestSize)
    {
        Host = host;
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        _maxFrameSize = maxFrameSize;
        _maxRequestSize = maxRequestSize;
        _lastReceive = _lastSend = Stopwatch.GetTimestamp();
    }

    public HostEndpoint Host { get; }

    /// <summary>Requests written and not yet answered.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Frames received after the handshake (replies, pings, notifications): whether the connection was of any use.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>
    /// Runs the connection until it fails or <paramref name="cancellationToken"/> fires, writing <paramref name="priming"/>
    /// (auth packets, SetWatches) before any queued request. Returns the cause; every request still outstanding has failed.
    /// </summary>
    public async Task<Exception> RunAsync(IConnectionOwner owner, IReadOnlyList<Call> priming, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopToken = stop.Token;
        Task read = ReadLoopAsync(owner, stop.Token);
        Task write = WriteLoopAsync(owner, priming, stop.Token);
        Task watchdog = WatchdogAsync(owner, readTimeout, stop.Token);
        Task first = await Task.WhenAny(read, write, watchdog, _directWriteFault.Task).ConfigureAwait(false);
        Exception cause = first.Exception?.GetBaseException()
            ?? (cancellationToken.IsCancellationRequested
                ? new OperationCanceledException("The client is closing.")
                : new ConnectionLossException(null, $"ZooKeeper: the connection to {Host} ended."));

        stop.Cancel();
        _socket.Dispose();
        try
        {
            await Task.WhenAll(read, write, watchdog).ConfigureAwait(false);
        }
        catch
        {
            // The first failure is the cause; the others are its echoes.
        }

        // A direct write may still fail against the disposed socket (an echo too). Closing the fault task now means no
        // later failure can fault it, and a fault already there is observed: never an unobserved task exception.
        if (!_directWriteFault.TrySetCanceled())
        {
            _ = _directWriteFault.Task.Exception;
        }

        FailOutstanding(owner, cause);
        return cause;
    }

    private void FailOutstanding(IConnectionOwner owner, Exception cause)
    {
        List<Call> lost;
        lock (_gate)
        {
            _failed = true;
            lost = new List<Call>(_pending.Count + _authPending.Count);
            lost.AddRange(_authPending);
            lost.AddRange(_pending);
            _pending.Clear();
            _authPending.Clear();
        }

        foreach (Call call in lost)
        {
            Exception failure = owner.CreateLostRequestException(call, cause);
            if (call is not AuthCall)
            {
                owner.Metrics.Lost(call, failure, Host);
                ClientTracing.Failed(ClientTracing.Detach(call), failure, Host);
            }

            call.Fail(failure);
        }
    }

    private async Task ReadLoopAsync(IConnectionOwner owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                t_receiving = this;
                try
                {
                    while (FrameReader.TryReadFrame(ref buffer, _maxFrameSize, out ReadOnlySequence<byte> payload))
                    {
                        Volatile.Write(ref _lastReceive, Stopwatch.GetTimestamp());
                        Interlocked.Increment(ref _framesReceived);
                        owner.OnServerHeard();
                        using var frame = new FramePayload(payload);
                        ProcessFrame(owner, frame.Span);
                    }
                }
                catch
                {
                    // The connection ends: what the frames issued goes out on the next one.
                    t_receiving = null;
                    RequeueDeferred(owner);
                    throw;
                }

                t_receiving = null;
                FlushDeferred(owner);

                if (result.IsCompleted)
                {
                    if (buffer.Length > 0)
                    {
                        throw new ZooKeeperProtocolException($"{Host} closed the connection in the middle of a frame ({buffer.Length} bytes of it received).");
                    }

                    throw new ConnectionLossException(null, $"ZooKeeper: {Host} closed the connection.");
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private void ProcessFrame(IConnectionOwner owner, ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        ReplyHeader header = ReplyHeader.Read(ref reader);
        ThrowIfAuthRequired(owner, header);
        ReadOnlySpan<byte> body = frame.Slice(ReplyHeader.Size);
        switch (header.Xid)
        {
            case Xids.Notification:
                WatcherEvent watcherEvent = WatcherEvent.Read(ref reader);
                owner.OnNotification(watcherEvent, header.Zxid);
                return;
            case Xids.Ping:
                return;
            case Xids.Auth:
                AuthCall? auth;
                lock (_gate)
                {
                    _authPending.TryDequeue(out auth);
                }

                if (auth is null)
                {
                    throw new ZooKeeperProtocolException($"{Host} sent an auth reply with no auth request outstanding.");
                }

                auth.OnReply(header, body, owner.Watches);
                if (header.Err != 0)
                {
                    // The server closes the connection after a rejection; any auth error is terminal for the client.
                    var failure = new AuthFailedException(null, $"ZooKeeper: {Host} rejected the credentials for scheme '{auth.Scheme}' ({(ZooKeeperErrorCode)header.Err}).");
                    owner.OnAuthFailed(failure);
                    throw failure;
                }

                return;
        }

        Call call;
        lock (_gate)
        {
            if (!_pending.TryPeek(out call!))
            {
                throw new ZooKeeperProtocolException($"{Host} sent a reply (xid {header.Xid}) with no request outstanding.");
            }

            if (call.Xid != header.Xid)
            {
                throw new ZooKeeperProtocolException($"{Host} sent replies out of order: expected xid {call.Xid}, got {header.Xid}.");
            }

            _pending.Dequeue();
        }

        if (header.Zxid > 0)
        {
            owner.OnReplyZxid(header.Zxid);
        }

        // Taken before the reply completes the caller, so no continuation races this loop for the span.
        Activity? span = ClientTracing.Detach(call);
        try
        {
            call.OnReply(header, body, owner.Watches);
        }
        catch (Exception ex)
        {
            var failure = ex as ZooKeeperProtocolException
                ?? new ZooKeeperProtocolException($"{Host} sent a reply to {call.OpCode} that does not decode: {ex.Message}", ex);
            ClientTracing.Failed(span, failure, Host);
            call.Fail(owner.CreateLostRequestException(call, failure));
            throw failure;
        }

        owner.Metrics.Replied(call, call.ReplyError, Host);
        ClientTracing.Replied(span, call.ReplyError, Host);
    }

    private async Task WriteLoopAsync(IConnectionOwner owner, IReadOnlyList<Call> priming, CancellationToken cancellationToken)
    {
        using var writer = new JuteWriter();
        foreach (Call call in priming)
        {
            Encode(owner, writer, call);
        }

        if (writer.Length > 0)
        {
            await FlushAsync(writer, cancellationToken).ConfigureAwait(false);
        }

        // Priming is on the wire: the receive loop may write its own requests from now on (ZkConnection.Deferred).
        _writeTurn.Release();
        while (await owner.WaitToDequeueAsync(cancellationToken).ConfigureAwait(false))
        {
            // Dequeued only while holding the turn, so nothing taken from the queue can be overtaken by a direct write.
            await _writeTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Drain what is queued into one buffer: many pipelined requests cost one socket write.
                while (writer.Length < WriteBatchBytes && owner.TryDequeue(out Call call))
                {
                    Encode(owner, writer, call);
                }

                if (writer.Length > 0)
                {
                    await FlushAsync(writer, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _writeTurn.Release();
            }
        }

        throw new ConnectionLossException(null, "ZooKeeper: the request queue was closed.");
    }

    private async ValueTask FlushAsync(JuteWriter writer, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastSend, Stopwatch.GetTimestamp());
        writer.Reset();
    }

    private async Task WatchdogAsync(IConnectionOwner owner, TimeSpan readTimeout, CancellationToken cancellationToken)
    {
        // Ping when nothing was sent for a third of the read timeout (at most every 10 s). The Java client waits half of
        // it; a third leaves two ping round trips of slack before the deadline, so a briefly stalled server or a
        // descheduled client is not mistaken for a dead connection.
        TimeSpan pingInterval = TimeSpan.FromTicks(Math.Min(readTimeout.Ticks / 3, TimeSpan.FromSeconds(10).Ticks));
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            TimeSpan silent = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastReceive), now);
            if (silent >= readTimeout)
            {
                throw new ConnectionLossException(null, $"ZooKeeper: nothing heard from {Host} for {silent.TotalMilliseconds:0} ms (read timeout {readTimeout.TotalMilliseconds:0} ms, 2/3 of the session timeout).");
            }

            TimeSpan sinceSend = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSend), now);
            if (sinceSend >= pingInterval)
            {
                Volatile.Write(ref _lastSend, now);
                owner.RequestPing();
                sinceSend = TimeSpan.Zero;
            }

            // Sleep exactly until the nearer deadline (read deadline or next ping), not on a polling tick: silence is
            // noticed within timer resolution of the deadline. Frames arriving meanwhile only push the deadline later.
            TimeSpan wait = TimeSpan.FromTicks(Math.Min((readTimeout - silent).Ticks, (pingInterval - sinceSend).Ticks));
            await Task.Delay(wait < MinWatchdogWait ? MinWatchdogWait : wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan MinWatchdogWait = TimeSpan.FromMilliseconds(1);

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        _writeTurn.Dispose();
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}


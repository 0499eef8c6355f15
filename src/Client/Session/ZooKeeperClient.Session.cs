using System.Diagnostics;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client;

/// <content>The session: connecting, re-attaching, the state machine and terminal handling.</content>
public sealed partial class ZooKeeperClient
{
    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // The only reader of the queue once the connection is gone (the channel is SingleReader): fail what is left.
            while (_outgoing.Reader.TryRead(out Call? call))
            {
                call.Fail(CreateTerminalException(call.Path));
            }
        }
    }

    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        var backoff = new ReconnectBackoff(_hosts.Length, _options.MaxReconnectDelay);
        var failureLog = new ConnectFailureLog(_logger);
        int hostIndex = 0;
        bool everConnected = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay = backoff.NextDelay(hostIndex);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            int attempted = hostIndex;
            HostEndpoint host = _hosts[attempted];
            backoff.OnAttempt(attempted);
            hostIndex = (hostIndex + 1) % _hosts.Length;
            long sessionId = Interlocked.Read(ref _sessionId);
            var request = new ConnectRequest(0, LastZxidSeen, (int)_options.SessionTimeout.TotalMilliseconds, sessionId, _password, ReadOnly: false);
            int timeoutBasisMs = sessionId == 0 ? request.TimeoutMs : Volatile.Read(ref _negotiatedTimeoutMs);
            // As the Java client: the session timeout shared out over the hosts, but at most 2 s — a server answers a
            // handshake in milliseconds, and an attempt lost in a partition should not hold up the next one for long.
            TimeSpan connectTimeout = TimeSpan.FromMilliseconds(Math.Clamp(timeoutBasisMs / _hosts.Length, 250, 2000));

            ZkConnection connection;
            try
            {
                connection = await ZkConnection.OpenAsync(host, request, connectTimeout, _options.MaxFrameSize, _options.MaxRequestSize, _options.Tls, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ServerRefusedConnectionException ex)
            {
                // Counted apart from unreachable hosts: the runtime falls back to a new zxid lineage only when servers
                // answered and refused, never when none could be reached.
                Interlocked.Increment(ref _refusedHandshakes);
                backoff.OnFailure(attempted);
                _lastConnectionError = ex;
                failureLog.Failed(host.ToString(), ex.Message);
                continue;
            }
            catch (Exception ex)
            {
                // A TLS failure cost the server a handshake, and a distrusted certificate fails the same way every time.
                if (ex is ZooKeeperTlsException)
                {
                    backoff.OnCostlyFailure(attempted);
                }
                else
                {
                    backoff.OnFailure(attempted);
                }

                _lastConnectionError = ex;
                failureLog.Failed(host.ToString(), ex.Message);
                continue;
            }

            ConnectResponse handshake = connection.Handshake;
            if (!handshake.IsSessionValid)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                EnterTerminal(ZooKeeperState.Expired, new SessionExpiredException(null, $"ZooKeeper: {host} reports session 0x{sessionId:x} expired."));
                return;
            }

            Interlocked.Exchange(ref _sessionId, handshake.SessionId);
            _password = handshake.Password;
            Volatile.Write(ref _negotiatedTimeoutMs, handshake.TimeoutMs);
            Volatile.Write(ref _lastHeard, Stopwatch.GetTimestamp());
            _currentHost = host.ToString();
            _currentConnection = connection;
            if (everConnected)
            {
                _metrics.Reconnected();
            }

            everConnected = true;
            Log.Connected(_logger, host.ToString(), handshake.SessionId, handshake.TimeoutMs, LastZxidSeen);
            TryTransition(ZooKeeperState.Connected, null);
            long connectedAt = Stopwatch.GetTimestamp();
            IReadOnlyList<Call> priming = BuildPriming(connection, reattached: sessionId != 0);

            TimeSpan readTimeout = TimeSpan.FromMilliseconds(handshake.TimeoutMs * 2.0 / 3.0);
            Exception cause = await connection.RunAsync(this, priming, readTimeout, cancellationToken).ConfigureAwait(false);
            EndPriming(connection);
            _currentConnection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
            _currentHost = null;

            bool authFailed;
            lock (_stateGate)
            {
                authFailed = _authFailed;
            }

            if (authFailed)
            {
                _lastConnectionError = cause;
                Log.AuthFailed(_logger, cause.Message);
                EnterTerminal(ZooKeeperState.AuthFailed, cause);
                return;
            }

            // Disposing: the server closes the socket right after its closeSession reply, and that end may be read here
            // before DisposeAsync resumes to enter Closed. It is the close, not a lost connection: report no
            // Disconnected (observers would see Connected → Disconnected → Closed) and do not reconnect.
            if (cancellationToken.IsCancellationRequested || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _metrics.ConnectionLost();
            _lastConnectionError = cause;
            if (ReconnectBackoff.IsUseful(Stopwatch.GetElapsedTime(connectedAt), connection.FramesReceived))
            {
                backoff.OnUseful();
                failureLog.Reset();
                Log.ConnectionLost(_logger, host.ToString(), cause.Message);
            }
            else
            {
                // Accepted the handshake, then dropped before it was any use: a failed attempt, and that host is paced.
                backoff.OnCostlyFailure(attempted);
                failureLog.Failed(host.ToString(), "the connection ended right after the handshake: " + cause.Message);
            }

            TryTransition(ZooKeeperState.Disconnected, cause);
        }
    }

    /// <summary>
    /// What a new connection sends before any queued request: every credential (auth is per connection), then the
    /// watch tables as SetWatches packets with relativeZxid = lastZxidSeen, so the server fires at once for exactly
    /// the nodes that changed while the client was away.
    /// </summary>
    private List<Call> BuildPriming(ZkConnection connection, bool reattached)
    {
        var priming = new List<Call>();
        PrimeCredentials(connection, priming);

        WatchSnapshot snapshot = _watches.Snapshot();
        long relativeZxid = LastZxidSeen;
        int watchedPaths = snapshot.Data.Count + snapshot.Exist.Count + snapshot.Child.Count + snapshot.Persistent.Count + snapshot.PersistentRecursive.Count;
        var restored = new WatchesRestored(Interlocked.Read(ref _sessionId), relativeZxid, watchedPaths, snapshot.Persistent, snapshot.PersistentRecursive);
        if (snapshot.IsEmpty)
        {
            if (reattached)
            {
                PostWatchesRestored(restored);
            }

            return priming;
        }

        var lists = new[] { snapshot.Data, snapshot.Exist, snapshot.Child, snapshot.Persistent, snapshot.PersistentRecursive };
        var serverLists = new List<string>[lists.Length];
        for (int list = 0; list < lists.Length; list++)
        {
            serverLists[list] = new List<string>(lists[list].Count);
            foreach (string path in lists[list])
            {
                serverLists[list].Add(ToServerPath(path));
            }
        }

        List<List<string>[]> chunks = SetWatchesPacking.Pack(serverLists, _options.MaxRequestSize);
        for (int i = 0; i < chunks.Count; i++)
        {
            // The last SetWatches reply follows every catch-up event the server fired: announce the restore from it.
            Action? onApplied = i == chunks.Count - 1 && reattached ? () => PostWatchesRestored(restored) : null;
            priming.Add(CreateSetWatches(relativeZxid, chunks[i], onApplied, reattached ? restored : null));
        }

        Log.WatchesReRegistered(_logger, watchedPaths, relativeZxid, chunks.Count);
        return priming;
    }

    private Call<bool> CreateSetWatches(long relativeZxid, List<string>[] lists, Action? onApplied, WatchesRestored? restored)
    {
        // Opcode 101 unless the packet carries persistent watches, so servers before 3.6 understand it.
        bool persistent = lists[3].Count > 0 || lists[4].Count > 0;
        var call = new Call<bool>(
            persistent ? OpCode.SetWatches2 : OpCode.SetWatches,
            null,
            writer =>
            {
                writer.WriteInt64(relativeZxid);
                writer.WriteStringVector(lists[0]);
                writer.WriteStringVector(lists[1]);
                writer.WriteStringVector(lists[2]);
                if (persistent)
                {
                    writer.WriteStringVector(lists[3]);
                    writer.WriteStringVector(lists[4]);
                }
            },
            null)
        {
            // Runs on the receive loop as the reply is processed, so it is ordered after the catch-up events.
            Inspect = onApplied is null ? null : _ =>
            {
                onApplied();
                return null;
            },
        };
        call.Task.ContinueWith(
            task =>
            {
                if (task.Exception?.GetBaseException() is KeeperException { Code: not ZooKeeperErrorCode.ConnectionLoss } failure)
                {
                    Log.SetWatchesFailed(_logger, failure.Code.ToString());

                    // An error reply still ends the re-attach: announce it as incomplete so no watcher is left waiting.
                    if (restored is not null)
                    {
                        PostWatchesRestored(restored with { Complete = false });
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return call;
    }

    private void PostWatchesRestored(WatchesRestored restored) => _dispatcher.Post(() => WatchesRestored?.Invoke(restored));

    private bool TryTransition(ZooKeeperState next, Exception? reason, ZooKeeperState? onlyFrom = null)
    {
        ZooKeeperStateChange change;
        lock (_stateGate)
        {
            if (_state == next || _state.IsTerminal() || (onlyFrom is { } from && _state != from))
            {
                return false;
            }

            // Losing the connection after the session was presumed expired stays "presumed expired".
            if (next == ZooKeeperState.Disconnected && _state == ZooKeeperState.SessionPresumedExpired)
            {
                return false;
            }

            change = new ZooKeeperStateChange(_state, next, DateTimeOffset.UtcNow, Interlocked.Read(ref _sessionId), reason);
            _state = next;
            _stateSince = change.Since;
            TaskCompletionSource signal = _stateSignal;
            _stateSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
            Publish(change);
        }

        Log.StateChanged(_logger, change.Previous, change.Current, change.SessionId);
        return true;
    }

    /// <summary>Moves to a terminal state: fails everything queued, forgets the watches and stops the loops.</summary>
    private void EnterTerminal(ZooKeeperState state, Exception? reason)
    {
        ZooKeeperStateChange change;
        lock (_stateGate)
        {
            if (_state.IsTerminal())
            {
                return;
            }

            change = new ZooKeeperStateChange(_state, state, DateTimeOffset.UtcNow, Interlocked.Read(ref _sessionId), reason);
            _state = state;
            _stateSince = change.Since;
            _terminalReason ??= reason;
            TaskCompletionSource signal = _stateSignal;
            _stateSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
            Publish(change);
        }

        Log.StateChanged(_logger, change.Previous, change.Current, change.SessionId);

        // What is still queued is failed by the session loop as it ends: it is the channel's single reader.
        _outgoing.Writer.TryComplete();
        FailCredentials(CreateTerminalException(null));
        _watches.Clear();
        _lifetime.Cancel();
    }

    /// <summary>
    /// Queues the StateChanged callback. Called under the state lock, in the same step as the change: queued after
    /// the lock, a waiter woken by the change could close the client and queue Closed before a preempted thread
    /// queued its Connected, and handlers would hear Closed, then Connected. The queue is unbounded: no blocking.
    /// </summary>
    private void Publish(ZooKeeperStateChange change) => _dispatcher.Post(() => StateChanged?.Invoke(change));
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// The application's session owner: owns the current <see cref="ZooKeeperClient"/>, and after the session is lost
/// (presumed expired by the local timer, confirmed expired, or auth failed) replaces it with a new client and a new
/// session, with backoff. Everything else (bound values, recipes) follows it through <see cref="Changed"/>.
/// </summary>
/// <remarks>
/// The replacement session starts from the old client's lastZxidSeen, so no server that is behind what the app
/// has already seen can serve it: values never go back in time across a session loss. If servers answer but refuse
/// that zxid for three session timeouts running (an ensemble rebuilt from scratch), the owner logs it once at Warning
/// and starts over from zero, flagging that session's Established event with <see cref="SessionEvent.ZxidLineageReset"/>.
/// An outage in which no server answered at all never causes that fallback: the zxid is kept until one answers.
/// Authentication failures are retried only at <see cref="ZkTypedStateOptions.MaxNewSessionDelay"/> intervals, so a
/// bad credential does not spin.
/// </remarks>
public sealed class ZooKeeperSession : IAsyncDisposable
{
    private readonly ZkTypedStateOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMeterFactory? _meterFactory;
    private readonly ILogger _logger;
    private readonly SerialExecutor _executor;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Task> _background = [];
    private readonly object _gate = new();
    private Handle? _current;
    private long _epoch;
    private int _consecutiveLosses;
    private bool _started;
    private bool _disposed;
    private TaskCompletionSource<ZooKeeperClient> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the session owner (call <see cref="Start"/> to connect).</summary>
    public ZooKeeperSession(ZkTypedStateOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        DefaultAcl = [.. options.ResolveDefaultAcl()];
        _loggerFactory = loggerFactory;
        _meterFactory = meterFactory;
        _logger = loggerFactory?.CreateLogger<ZooKeeperSession>() ?? NullLogger<ZooKeeperSession>.Instance;
        _executor = new SerialExecutor(_logger);
    }

    /// <summary>
    /// Raised, in order, on the session's serialized executor for every session-level change. This is the raw event,
    /// for recipes and other session followers; it is not ordered with bound values' notifications — an application
    /// that reads bound values should subscribe to <see cref="ZNodeRuntime.SessionChanged"/> instead.
    /// </summary>
    public event Action<SessionEvent>? Changed;

    /// <summary>
    /// The ACL the SDK creates nodes with in this session (<see cref="ZkTypedStateOptions.DefaultAcl"/>, resolved when the
    /// session owner was created: <see cref="Acl.CreatorAll"/> with credentials, <see cref="Acl.OpenUnsafe"/> without).
    /// Recipes use it unless their own options set one.
    /// </summary>
    public IReadOnlyList<Acl> DefaultAcl { get; }

    /// <summary>
    /// Checks that nodes created with <paramref name="acl"/> in this session would be accepted: not empty, every entry
    /// granting something, and an <c>auth</c> entry (<see cref="Acl.CreatorAll"/>) only when credentials are configured.
    /// </summary>
    /// <param name="acl">The ACL to check.</param>
    /// <param name="optionName">The option it comes from, named in the message (e.g. <c>LeaderElectionOptions.DefaultAcl</c>).</param>
    /// <exception cref="ArgumentException">The ACL would be refused; the message says why.</exception>
    public void ValidateAcl(IReadOnlyList<Acl> acl, string optionName)
    {
        ArgumentNullException.ThrowIfNull(acl);
        ZkTypedStateOptions.ValidateAcl(acl, _options.Credentials.Count > 0, optionName);
    }

    /// <summary>The current client (null before <see cref="Start"/>). After a loss it is replaced: do not cache it.</summary>
    public ZooKeeperClient? Client => Volatile.Read(ref _current)?.Client;

    /// <summary>The current session's epoch: 1 for the first session, +1 for each replacement.</summary>
    public long Epoch => Volatile.Read(ref _current)?.Epoch ?? 0;

    /// <summary>The current client's state (<see cref="ZooKeeperState.Connecting"/> before the first client).</summary>
    public ZooKeeperState State => Client?.State ?? ZooKeeperState.Connecting;

    /// <summary>True from the moment a session loss is known until a new session is established.</summary>
    public bool IsSessionLost => Volatile.Read(ref _current) is { } handle && (handle.Lost || !handle.Established && handle.Epoch > 1);

    /// <summary>True once the current client's session has been established (it may be disconnected right now).</summary>
    public bool IsEstablished => Volatile.Read(ref _current) is { Established: true, Lost: false };

    /// <summary>True after the last loss was an authentication failure, until a session is established again.</summary>
    public bool IsAuthFailed { get; private set; }

    /// <summary>
    /// Why the last authentication failure happened (null if none did): an <see cref="AuthFailedException"/> for a
    /// rejected credential, or a <see cref="SessionClosedRequireAuthException"/> when the server requires
    /// authentication (enforce.auth) and none of the configured <see cref="ZkTypedStateOptions.Credentials"/> — or none
    /// at all — satisfied it. Kept after a new session is established, for diagnostics.
    /// </summary>
    public Exception? LastAuthFailure { get; private set; }

    /// <summary>Runs <paramref name="action"/> on the session's serialized executor (in order with <see cref="Changed"/>).</summary>
    public Task InvokeAsync(Func<Task> action) => _executor.InvokeAsync(action);

    /// <summary>Creates the first client and starts connecting (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
        }

        CreateClient(lastZxid: 0, lineageReset: false);
    }

    /// <summary>Completes with the current client once it is connected (waits across reconnects and session replacements).</summary>
    public async Task<ZooKeeperClient> GetConnectedClientAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task<ZooKeeperClient> signal;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                signal = _connected.Task;
            }

            ZooKeeperClient client = await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (client.State == ZooKeeperState.Connected && ReferenceEquals(client, Client))
            {
                return client;
            }

            // Raced with a disconnection or replacement: wait for the next signal.
            await Task.Yield();
        }
    }

    private void CreateClient(long lastZxid, bool lineageReset)
    {
        ZooKeeperClientOptions clientOptions = _options.BuildClientOptions(lastZxid, _loggerFactory, _meterFactory);
        var client = new ZooKeeperClient(clientOptions);
        var handle = new Handle(client, Interlocked.Increment(ref _epoch), lineageReset);
        lock (_gate)
        {
            if (_disposed)
            {
                _background.Add(client.DisposeAsync().AsTask());
                return;
            }

            _current = handle;
        }

        // Auth packets queued before anything else go out first on the first connection; the client resends them on reconnects.
        foreach (ZooKeeperCredential credential in _options.Credentials)
        {
            _ = client.AddAuthAsync(credential.Scheme!, credential.GetAuthBytes()).ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        client.StateChanged += change => _executor.Post(() => OnClientState(handle, change.Current, change.Reason));
        client.WatchesRestored += restored => _executor.Post(() => OnRestored(handle, restored));

        // The client may have connected before the handler was attached: check once on the executor.
        _executor.Post(() =>
        {
            if (client.State == ZooKeeperState.Connected)
            {
                OnClientState(handle, ZooKeeperState.Connected, null);
            }
        });

        if (lastZxid > 0)
        {
            Track(EnsureProgressAsync(handle));
        }
    }

    private void OnClientState(Handle handle, ZooKeeperState state, Exception? reason)
    {
        if (!ReferenceEquals(handle, Volatile.Read(ref _current)) || handle.Lost)
        {
            return;
        }

        switch (state)
        {
            case ZooKeeperState.Connected:
                lock (_gate)
                {
                    _connected.TrySetResult(handle.Client);
                }

                if (!handle.Established)
                {
                    handle.Established = true;
                    _consecutiveLosses = 0;
                    IsAuthFailed = false;
                    _logger.LogInformation("ZooKeeper session 0x{SessionId:x} established (epoch {Epoch}).", handle.Client.SessionId, handle.Epoch);
                    Raise(SessionEventKind.Established, handle, state, null, null, handle.LineageReset);
                }

                break;
            case ZooKeeperState.Disconnected:
                ResetConnectedSignal();
                Raise(SessionEventKind.Disconnected, handle, state, reason, null);
                break;
            case ZooKeeperState.SessionPresumedExpired:
            case ZooKeeperState.Expired:
            case ZooKeeperState.AuthFailed:
                handle.Lost = true;
                ResetConnectedSignal();
                IsAuthFailed = state == ZooKeeperState.AuthFailed;
                if (IsAuthFailed)
                {
                    LastAuthFailure = reason;
                    _logger.LogError("ZooKeeper session 0x{SessionId:x} (epoch {Epoch}) lost: authentication failed ({Reason}). Retrying with a new session every {Delay}.", handle.Client.SessionId, handle.Epoch, reason?.Message, _options.MaxNewSessionDelay);
                }
                else
                {
                    _logger.LogWarning("ZooKeeper session 0x{SessionId:x} (epoch {Epoch}) lost: {State}. Everything of it is invalid; starting a new session.", handle.Client.SessionId, handle.Epoch, state);
                }

                Raise(SessionEventKind.Lost, handle, state, reason, null);
                Track(ReplaceAsync(handle, state));
                break;
        }
    }

    private void OnRestored(Handle handle, WatchesRestored restored)
    {
        if (ReferenceEquals(handle, Volatile.Read(ref _current)) && !handle.Lost && handle.Established)
        {
            Raise(SessionEventKind.Reconnected, handle, ZooKeeperState.Connected, null, restored);
        }
    }

    private async Task ReplaceAsync(Handle lost, ZooKeeperState cause)
    {
        long lastZxid = lost.Client.LastZxidSeen;
        await lost.Client.DisposeAsync().ConfigureAwait(false);
        int losses = Interlocked.Increment(ref _consecutiveLosses);
        TimeSpan cap = cause == ZooKeeperState.AuthFailed
            ? _options.MaxNewSessionDelay
            : TimeSpan.FromMilliseconds(Math.Min(_options.MaxNewSessionDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(losses - 1, 16))));
        TimeSpan delay = cause == ZooKeeperState.AuthFailed ? cap : TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap.TotalMilliseconds);
        try
        {
            await Task.Delay(delay, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        CreateClient(lastZxid, lineageReset: false);
    }

    /// <summary>
    /// Falls back to a zero lastZxidSeen when servers keep answering and refusing the carried one: handshakes refused in
    /// each of three session timeouts running. A window in which none was refused (no server reachable, or one
    /// accepting) starts the count again, so an outage where nothing answers, or a server that refuses only while it
    /// starts, never resets the lineage.
    /// </summary>
    private async Task EnsureProgressAsync(Handle handle)
    {
        const int RefusingWindows = 3;
        try
        {
            int refusing = 0;
            long refusedBefore = handle.Client.RefusedHandshakes;
            while (refusing < RefusingWindows)
            {
                try
                {
                    await handle.Client.WaitForConnectedAsync(_lifetime.Token).WaitAsync(_options.SessionTimeout, _lifetime.Token).ConfigureAwait(false);
                    return;
                }
                catch (TimeoutException) when (!handle.Established && ReferenceEquals(handle, Volatile.Read(ref _current)))
                {
                    long refused = handle.Client.RefusedHandshakes;
                    refusing = refused > refusedBefore ? refusing + 1 : 0;
                    refusedBefore = refused;
                }
            }

            _logger.LogWarning(
                "Servers refused a session from lastZxidSeen 0x{Zxid:x} for {Timeout}: the ensemble appears to have been rebuilt. Starting over from zxid 0 (a new zxid lineage; bound values forget their zxid high-water marks).",
                handle.Client.LastZxidSeen,
                _options.SessionTimeout * 3);
            await _executor.InvokeAsync(async () =>
            {
                if (ReferenceEquals(handle, Volatile.Read(ref _current)) && !handle.Established)
                {
                    handle.Lost = true;
                    await handle.Client.DisposeAsync().ConfigureAwait(false);
                    CreateClient(lastZxid: 0, lineageReset: true);
                }
            }).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposed, cancelled or the client reached a terminal state: the normal paths handle those.
        }
    }

    private void ResetConnectedSignal()
    {
        lock (_gate)
        {
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource<ZooKeeperClient>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Raise(SessionEventKind kind, Handle handle, ZooKeeperState state, Exception? reason, WatchesRestored? restored, bool lineageReset = false)
    {
        var sessionEvent = new SessionEvent(kind, handle.Epoch, handle.Client.SessionId, state, handle.Client, reason, restored) { ZxidLineageReset = lineageReset };
        try
        {
            Changed?.Invoke(sessionEvent);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A session event handler threw for {Kind}.", kind);
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    /// <summary>Closes the current session (its ephemeral nodes go at once) and stops every background task.</summary>
    public async ValueTask DisposeAsync()
    {
        Handle? current;
        Task[] background;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            current = _current;
            _connected.TrySetException(new ObjectDisposedException(nameof(ZooKeeperSession)));
        }

        _lifetime.Cancel();
        if (current is not null)
        {
            await current.Client.DisposeAsync().ConfigureAwait(false);
            _executor.Post(() => Raise(SessionEventKind.Closed, current, ZooKeeperState.Closed, null, null));
        }

        lock (_gate)
        {
            background = [.. _background];
        }

        try
        {
            await Task.WhenAll(background).ConfigureAwait(false);
        }
        catch (Exception)
        {
        }

        await _executor.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <summary>One client and what the owner knows about its session.</summary>
    private sealed class Handle(ZooKeeperClient client, long epoch, bool lineageReset)
    {
        public ZooKeeperClient Client { get; } = client;

        public long Epoch { get; } = epoch;

        /// <summary>This client was knowingly started from zxid 0 after servers refused the carried lastZxidSeen.</summary>
        public bool LineageReset { get; } = lineageReset;

        // Only touched on the executor (Lost is also read by other threads; a stale read there is harmless).
        public volatile bool Established;

        public volatile bool Lost;
    }
}

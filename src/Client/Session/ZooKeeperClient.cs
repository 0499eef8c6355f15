using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client.Connection;
using ZkTypedState.Client.Diagnostics;
using ZkTypedState.Client.Protocol;
using ZkTypedState.Client.Session;
using ZkTypedState.Client.Watches;

namespace ZkTypedState.Client;

/// <summary>
/// A ZooKeeper session over one TCP connection at a time, fully asynchronous.
/// </summary>
/// <remarks>
/// <para>The client connects in the background as soon as it is created (see <see cref="ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/> and
/// <see cref="WaitForConnectedAsync"/>). Requests are pipelined: any number may be in flight, and replies are matched
/// to them in order. A request issued while disconnected waits and is sent after the session is re-attached (or fails
/// with <see cref="OperationTimeoutException"/> once <see cref="ZooKeeperClientOptions.OperationTimeout"/>, when set, has passed).</para>
/// <para>When the connection drops, every request in flight fails with <see cref="ConnectionLossException"/> (a write may
/// or may not have been applied: retrying is the caller's choice), the state becomes <see cref="ZooKeeperState.Disconnected"/>,
/// and the client re-attaches the same session through the host list, offering its lastZxidSeen so no server older than
/// what it has seen can serve it, and re-registers every watch with SetWatches so changes missed meanwhile fire at once.</para>
/// <para>Session expiry and authentication failure are terminal: create a new client.</para>
/// <para>Watchers and <see cref="StateChanged"/> handlers run one at a time on a dispatcher of their own, in order; they never
/// delay replies, but a slow one delays the callbacks after it.</para>
/// </remarks>
public sealed partial class ZooKeeperClient : IAsyncDisposable, IConnectionOwner
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ConnectionString _connectionString;
    private readonly string? _chroot;
    private readonly HostEndpoint[] _hosts;
    private readonly ILogger _logger;
    private readonly ClientMetrics _metrics;
    private readonly WatchManager _watches = new();
    private readonly EventDispatcher _dispatcher;
    private readonly Channel<Call> _outgoing = Channel.CreateUnbounded<Call>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _stateGate = new();
    private readonly Task _sessionLoop;
    private readonly Task _expiryWatchdog;

    private int _xid;
    private long _lastZxid;
    private long _sessionId;
    private byte[] _password = new byte[ConnectRequest.PasswordLength];
    private int _negotiatedTimeoutMs;
    private long _lastHeard = Stopwatch.GetTimestamp();
    private volatile ZooKeeperState _state = ZooKeeperState.Connecting;
    private DateTimeOffset _stateSince = DateTimeOffset.UtcNow;
    private TaskCompletionSource _stateSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _terminalReason;
    private int _disposed;

    /// <summary>Creates a client and starts connecting in the background.</summary>
    public ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _connectionString = ConnectionString.Parse(options.ConnectionString);
        _chroot = _connectionString.Chroot;
        _hosts = [.. _connectionString.Hosts];
        Random.Shared.Shuffle(_hosts);
        _logger = options.LoggerFactory?.CreateLogger<ZooKeeperClient>() ?? NullLogger<ZooKeeperClient>.Instance;
        _metrics = ClientMetrics.For(options.MeterFactory);
        _dispatcher = new EventDispatcher(_logger);
        _lastZxid = options.InitialLastZxidSeen;
        _sessionLoop = BackgroundTask.Run(() => RunSessionAsync(_lifetime.Token));
        _expiryWatchdog = BackgroundTask.Run(() => WatchSessionExpiryAsync(_lifetime.Token));
    }

    /// <summary>
    /// Creates a client and waits until its session is established, at most <see cref="ZooKeeperClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="ConnectTimeoutException">No session within the connect timeout; the inner exception is the last connection error.</exception>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options);
        try
        {
            if (options.ConnectTimeout == Timeout.InfiniteTimeSpan)
            {
                await client.WaitForConnectedAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Task connected = client.WaitForConnectedAsync(cancellationToken);
                TaskObservation.Observe(connected); // after a timeout it fails with ObjectDisposedException, unawaited
                await connected.WaitAsync(options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            }

            return client;
        }
        catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            Exception? last = client.LastConnectionError;
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ConnectTimeoutException(
                $"ZooKeeper: no session with {options.ConnectionString} within the connect timeout of {options.ConnectTimeout.TotalMilliseconds:0} ms{(last is null ? "." : ": " + last.Message)}",
                last);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Creates a client for <paramref name="connectionString"/> and waits until its session is established (at most the
    /// default <see cref="ZooKeeperClientOptions.ConnectTimeout"/>; <paramref name="sessionTimeout"/> is the session's timeout, not the wait's).
    /// </summary>
    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(new ZooKeeperClientOptions { ConnectionString = connectionString, SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10) }, cancellationToken);

    /// <summary>Raised (on the event dispatcher, in order with watch events) whenever <see cref="State"/> changes.</summary>
    public event Action<ZooKeeperStateChange>? StateChanged;

    /// <summary>
    /// Raised (on the event dispatcher) after a re-attached session re-registered its watches: catch-up events for
    /// nodes changed while away were delivered before it. Lists the persistent watches, which get no catch-up.
    /// </summary>
    public event Action<WatchesRestored>? WatchesRestored;

    /// <summary>The current state.</summary>
    public ZooKeeperState State => _state;

    /// <summary>When the current state began.</summary>
    public DateTimeOffset StateSince
    {
        get
        {
            lock (_stateGate)
            {
                return _stateSince;
            }
        }
    }

    /// <summary>The session id (0 before the first session is established).</summary>
    public long SessionId => Interlocked.Read(ref _sessionId);

    /// <summary>The session timeout the server granted (zero before the first session).</summary>
    public TimeSpan NegotiatedSessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    /// <summary>The highest zxid seen in a reply header: sent with every handshake and SetWatches.</summary>
    public long LastZxidSeen => Interlocked.Read(ref _lastZxid);

    /// <summary>
    /// How many handshakes a server answered by closing the connection without a session (as a server does when it is
    /// behind this client's lastZxidSeen), as opposed to attempts where no server could be reached at all.
    /// </summary>
    public long RefusedHandshakes => Interlocked.Read(ref _refusedHandshakes);

    private long _refusedHandshakes;

    /// <summary>
    /// The error that ended the last connection attempt or connection (refused, timed out, lost), or null if none
    /// failed yet. Carried as the inner exception of <see cref="ConnectTimeoutException"/>.
    /// </summary>
    public Exception? LastConnectionError => _lastConnectionError;

    private volatile Exception? _lastConnectionError;

    /// <summary>The server the client is connected to, if any (host:port).</summary>
    public string? ConnectedServer => _currentHost;

    /// <summary>The chroot every path is relative to, or null.</summary>
    public string? Chroot => _chroot;

    private volatile string? _currentHost;
    private volatile ZkConnection? _currentConnection;

    /// <summary>Requests written on the current connection and not yet answered (diagnostics and tests).</summary>
    internal int InFlightRequests => _currentConnection?.PendingCount ?? 0;

    /// <summary>Socket writes the current connection's receive loop made itself (diagnostics and tests).</summary>
    internal long ReceiveLoopWrites => _currentConnection?.DirectWrites ?? 0;

    /// <summary>
    /// Completes when the client is connected. Throws <see cref="SessionExpiredException"/>, <see cref="AuthFailedException"/>
    /// or <see cref="ObjectDisposedException"/> if the client reaches a terminal state instead.
    /// </summary>
    public async Task WaitForConnectedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task signal;
            lock (_stateGate)
            {
                if (_state == ZooKeeperState.Connected)
                {
                    return;
                }

                if (_state.IsTerminal())
                {
                    throw CreateTerminalException(null);
                }

                signal = _stateSignal.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Completes when <see cref="State"/> satisfies <paramref name="predicate"/> (checked at every change).</summary>
    public async Task<ZooKeeperState> WaitForStateAsync(Func<ZooKeeperState, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        while (true)
        {
            Task signal;
            ZooKeeperState state;
            lock (_stateGate)
            {
                state = _state;
                signal = _stateSignal.Task;
            }

            if (predicate(state))
            {
                return state;
            }

            if (state.IsTerminal())
            {
                throw new InvalidOperationException($"The client reached the terminal state {state} without satisfying the condition.", CreateTerminalException(null));
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes the session (closeSession, so the server removes its ephemeral nodes at once rather than after the
    /// timeout), waits for the server to confirm within <see cref="ZooKeeperClientOptions.CloseTimeout"/>, then stops
    /// every background loop. Completes even while the client is reconnecting.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (State == ZooKeeperState.Connected)
        {
            var close = new Call<bool>(OpCode.CloseSession, null, null, null);
            TaskObservation.Observe(close.Task);
            if (TryQueue(close))
            {
                try
                {
                    await close.Task.WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.CloseNotConfirmed(_logger, SessionId, ex.Message);
                }
            }
        }

        EnterTerminal(ZooKeeperState.Closed, null);
        try
        {
            await Task.WhenAll(_sessionLoop, _expiryWatchdog).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _dispatcher.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private Exception CreateTerminalException(string? path)
    {
        ZooKeeperState state;
        Exception? reason;
        lock (_stateGate)
        {
            state = _state;
            reason = _terminalReason;
        }

        return state switch
        {
            ZooKeeperState.Expired => new SessionExpiredException(path, "ZooKeeper: the session has expired; create a new client."),
            ZooKeeperState.AuthFailed => new AuthFailedException(path, "ZooKeeper: authentication failed; the client is finished. " + reason?.Message, reason),
            _ => new ObjectDisposedException(nameof(ZooKeeperClient), "The ZooKeeper client was disposed."),
        };
    }
}

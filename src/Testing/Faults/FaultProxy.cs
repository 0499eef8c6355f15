using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ZkTypedState.Testing;

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of a ZooKeeper server, for injecting network faults: cut every
/// connection (<see cref="Cut"/>), silently drop bytes (<see cref="Blackhole"/>), add latency (<see cref="Delay"/>),
/// and count the client's request frames by ZooKeeper opcode (<see cref="GetRequestCounts"/>).
/// </summary>
/// <remarks>
/// Point the client at <see cref="ConnectionString"/>. Counting parses the client → server stream as ZooKeeper
/// frames (4-byte big-endian length, then the body); the first frame of a connection is its ConnectRequest
/// (<see cref="ConnectRequests"/>), later ones start with <c>{int xid; int opcode}</c>. Only bytes actually forwarded
/// to the server are counted.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource shutdown = new();
    private readonly ConcurrentDictionary<long, FaultProxyConnection> connections = new();
    private readonly ConcurrentDictionary<Task, bool> handlers = new();
    private readonly object countersLock = new();
    private readonly Dictionary<int, long> requestCounts = [];
    private readonly object modeLock = new();
    private readonly object waitersLock = new();
    private readonly List<(long Count, TaskCompletionSource Completion)> connectionWaiters = [];
    private readonly object controlLock = new();
    private TaskCompletionSource modeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int mode;
    private long connectRequests;
    private long delayTicks;
    private long totalConnections;
    private long refusedConnections;
    private long nextConnectionId;
    private Task acceptLoop = Task.CompletedTask;
    private FaultProxyControlServer? controlServer;
    private int disposed;

    private FaultProxy(string targetHost, int targetPort)
    {
        TargetHost = targetHost;
        TargetPort = targetPort;
        listener = new TcpListener(IPAddress.Loopback, 0);
    }

    /// <summary>Raised after a connection is accepted and connected to the target, with the total number of
    /// connections proxied so far (1 for the first). Connections refused while cut do not count.</summary>
    public event Action<int>? ConnectionAccepted;

    /// <summary>The host the proxy forwards to.</summary>
    public string TargetHost { get; }

    /// <summary>The port the proxy forwards to.</summary>
    public int TargetPort { get; }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary><c>127.0.0.1:port</c> of the proxy.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"{ZooKeeperTestServer.LoopbackHost}:{Port}");

    /// <summary>The current fault mode.</summary>
    public FaultMode Mode => (FaultMode)Volatile.Read(ref mode);

    /// <summary>
    /// Latency added to every forwarded chunk, in both directions; <see cref="TimeSpan.Zero"/> (the default) for none.
    /// Byte order is kept.
    /// </summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref delayTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref delayTicks, value.Ticks);
        }
    }

    /// <summary>ConnectRequests (the first frame of each connection) forwarded since the last <see cref="ResetCounters"/>.</summary>
    public long ConnectRequests => Interlocked.Read(ref connectRequests);

    /// <summary>Connections currently proxied.</summary>
    public int ActiveConnections => connections.Count;

    /// <summary>Connections proxied since the proxy started (the number passed to <see cref="ConnectionAccepted"/>).</summary>
    public int TotalConnections => (int)Interlocked.Read(ref totalConnections);

    /// <summary>Connections accepted and closed at once because the proxy was <see cref="FaultMode.Cut"/>.</summary>
    public int RefusedConnections => (int)Interlocked.Read(ref refusedConnections);

    /// <summary>Starts a proxy on a free 127.0.0.1 port forwarding to <paramref name="targetHost"/>:<paramref name="targetPort"/>.</summary>
    /// <param name="targetHost">The server host.</param>
    /// <param name="targetPort">The server port.</param>
    /// <param name="cancellationToken">Unused beyond an early check; the proxy runs until disposed.</param>
    /// <returns>The running proxy.</returns>
    public static Task<FaultProxy> StartAsync(string targetHost, int targetPort, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetHost);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetPort, 65535);
        cancellationToken.ThrowIfCancellationRequested();
        var proxy = new FaultProxy(targetHost, targetPort);
        proxy.listener.Start();
        proxy.Port = ((IPEndPoint)proxy.listener.LocalEndpoint).Port;
        proxy.acceptLoop = Task.Run(proxy.AcceptLoopAsync, CancellationToken.None);
        return Task.FromResult(proxy);
    }

    /// <summary>Starts a proxy in front of <paramref name="server"/>.</summary>
    /// <param name="server">The server.</param>
    /// <param name="cancellationToken">Unused beyond an early check.</param>
    /// <returns>The running proxy.</returns>
    public static Task<FaultProxy> StartAsync(ZooKeeperTestServer server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        return StartAsync(server.Host, server.Port, cancellationToken);
    }

    /// <summary>
    /// Closes every proxied connection (both sides, with FIN) and closes new connections as soon as they are
    /// accepted, until <see cref="Restore"/> or <see cref="Blackhole"/>.
    /// </summary>
    public void Cut()
    {
        SetMode(FaultMode.Cut);
        foreach (var connection in connections.Values)
        {
            connection.Abort();
        }
    }

    /// <summary>
    /// Keeps connections open but drops every byte both ways; new connections are accepted and blackholed too.
    /// A side closing its connection is not passed on until the blackhole ends.
    /// </summary>
    public void Blackhole() => SetMode(FaultMode.Blackhole);

    /// <summary>Forwards normally again. Blackholed connections forward new bytes; dropped bytes stay dropped.</summary>
    public void Restore() => SetMode(FaultMode.Forward);

    /// <summary>Request frames forwarded since the last <see cref="ResetCounters"/>, by ZooKeeper opcode
    /// (for example 11 = ping, 4 = getData). ConnectRequests are counted by <see cref="ConnectRequests"/> instead.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyDictionary<int, long> GetRequestCounts()
    {
        lock (countersLock)
        {
            return new Dictionary<int, long>(requestCounts);
        }
    }

    /// <summary>The number of forwarded request frames with <paramref name="opcode"/> since the last reset.</summary>
    /// <param name="opcode">A ZooKeeper opcode.</param>
    /// <returns>The count.</returns>
    public long GetRequestCount(int opcode)
    {
        lock (countersLock)
        {
            return requestCounts.GetValueOrDefault(opcode);
        }
    }

    /// <summary>Sets every request counter and <see cref="ConnectRequests"/> to zero.</summary>
    public void ResetCounters()
    {
        lock (countersLock)
        {
            requestCounts.Clear();
            Interlocked.Exchange(ref connectRequests, 0);
        }
    }

    /// <summary>Completes when <see cref="TotalConnections"/> reaches <paramref name="totalConnections"/>.</summary>
    /// <param name="totalConnections">The total to wait for (for example <c>TotalConnections + 1</c> for the next one).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task completing when enough connections were proxied.</returns>
    public Task WaitForConnectionsAsync(int totalConnections, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource completion;
        lock (waitersLock)
        {
            if (TotalConnections >= totalConnections)
            {
                return Task.CompletedTask;
            }

            completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connectionWaiters.Add((totalConnections, completion));
        }

        return completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Starts (once) a line-based TCP control server on a free 127.0.0.1 port, for driving the proxy from other
    /// processes. Commands, one per line, each answered by one line: <c>cut</c>, <c>blackhole</c>, <c>restore</c>,
    /// <c>reset</c> and <c>delay MILLISECONDS</c> → <c>ok</c>; <c>mode</c> → the mode; <c>stats</c> →
    /// <c>{"connect":N,"ops":{"11":3,...},"active":N,"mode":"forward"}</c>; anything else → <c>error ...</c>.
    /// </summary>
    /// <param name="cancellationToken">Unused beyond an early check.</param>
    /// <returns>The control port.</returns>
    public Task<int> StartControlServerAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        lock (controlLock)
        {
            controlServer ??= FaultProxyControlServer.Start(this, shutdown.Token);
            return Task.FromResult(controlServer.Port);
        }
    }

    /// <summary>Stops listening, closes every connection and waits for the pumps to finish.</summary>
    /// <returns>A task completing when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        shutdown.Cancel();
        listener.Stop();
        FaultProxyControlServer? control;
        lock (controlLock)
        {
            control = controlServer;
        }

        if (control is not null)
        {
            await control.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var connection in connections.Values)
        {
            connection.Abort();
        }

        await acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(handlers.Keys).ConfigureAwait(false);
        lock (waitersLock)
        {
            foreach (var (_, completion) in connectionWaiters)
            {
                completion.TrySetException(new ObjectDisposedException(nameof(FaultProxy)));
            }

            connectionWaiters.Clear();
        }

        shutdown.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"FaultProxy {ConnectionString} -> {TargetHost}:{TargetPort} ({Mode})");

    internal void CountConnectRequest() => Interlocked.Increment(ref connectRequests);

    internal void CountRequest(int opcode)
    {
        lock (countersLock)
        {
            requestCounts[opcode] = requestCounts.GetValueOrDefault(opcode) + 1;
        }
    }

    /// <summary>Completes once the mode is not <see cref="FaultMode.Blackhole"/>.</summary>
    internal async Task WaitWhileBlackholedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (modeLock)
            {
                if (Mode != FaultMode.Blackhole)
                {
                    return;
                }

                changed = modeChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void SetMode(FaultMode newMode)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        TaskCompletionSource previous;
        lock (modeLock)
        {
            Volatile.Write(ref mode, (int)newMode);
            previous = modeChanged;
            modeChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private async Task AcceptLoopAsync()
    {
        var token = shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            Socket? client = await listener.AcceptOrNullAsync(token).ConfigureAwait(false);
            if (client is null)
            {
                return;
            }

            if (Mode == FaultMode.Cut)
            {
                Interlocked.Increment(ref refusedConnections);
                FaultProxyConnection.CloseQuietly(client);
                continue;
            }

            client.NoDelay = true;
            var handler = HandleAsync(client, token);
            handlers.TryAdd(handler, true);
            _ = handler.ContinueWith(
                static (finished, state) => ((ConcurrentDictionary<Task, bool>)state!).TryRemove(finished, out _),
                handlers,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(Socket client, CancellationToken token)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(TargetHost, TargetPort, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Target down: the client sees its connection closed right away.
            FaultProxyConnection.CloseQuietly(server);
            FaultProxyConnection.CloseQuietly(client);
            return;
        }

        var connection = new FaultProxyConnection(this, client, server, token);
        var id = Interlocked.Increment(ref nextConnectionId);
        connections[id] = connection;
        try
        {
            if (Mode == FaultMode.Cut || token.IsCancellationRequested)
            {
                // Cut (or disposed) while connecting to the target.
                connection.Abort();
            }
            else
            {
                OnConnectionAccepted((int)Interlocked.Increment(ref totalConnections));
            }

            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            connections.TryRemove(id, out _);
        }
    }

    private void OnConnectionAccepted(int total)
    {
        List<TaskCompletionSource>? ready = null;
        lock (waitersLock)
        {
            for (var i = connectionWaiters.Count - 1; i >= 0; i--)
            {
                if (connectionWaiters[i].Count <= total)
                {
                    (ready ??= []).Add(connectionWaiters[i].Completion);
                    connectionWaiters.RemoveAt(i);
                }
            }
        }

        ready?.ForEach(completion => completion.TrySetResult());
        try
        {
            ConnectionAccepted?.Invoke(total);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A failing test handler must not take the proxy down.
        }
    }
}

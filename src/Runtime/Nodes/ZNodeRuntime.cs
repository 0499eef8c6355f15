using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Keeps every bound value in step with the session: starts their reads when a session is established, marks them
/// stale while disconnected, fresh again after the session is re-attached (only nodes whose watches fired are
/// re-read), and invalidates and rebuilds them all after a session loss. Reads are pipelined under a cap on
/// requests in flight, so a fleet reconnecting at once does not hammer a recovering ensemble.
/// </summary>
public sealed class ZNodeRuntime : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IZNodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly SerialExecutor _notifications;
    private readonly CancellationTokenSource _lifetime = new();
    private long _readsIssued;
    private int _readsInFlight;
    private int _peakReadsInFlight;
    private int _lossGeneration;
    private int _disposed;

    /// <summary>Creates the runtime over a session owner.</summary>
    public ZNodeRuntime(ZooKeeperSession session, ZkTypedStateOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        Session = session;
        Options = options;
        Logger = loggerFactory?.CreateLogger<ZNodeRuntime>() ?? NullLogger<ZNodeRuntime>.Instance;
        ReadLimiter = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentReads));
        _notifications = new SerialExecutor(Logger);
        Metrics = new RuntimeMetrics(meterFactory, () => (int)session.State, CountByStatus);
        session.Changed += OnSessionChanged;
    }

    /// <summary>The session owner.</summary>
    public ZooKeeperSession Session { get; }

    /// <summary>The runtime's options.</summary>
    public ZkTypedStateOptions Options { get; }

    /// <summary>Reads issued so far to load or refresh bound values (for diagnostics and tests).</summary>
    public long ReadsIssued => Interlocked.Read(ref _readsIssued);

    /// <summary>The most loading reads that were ever in flight at once (bounded by <see cref="ZkTypedStateOptions.MaxConcurrentReads"/>).</summary>
    public int PeakReadsInFlight => Volatile.Read(ref _peakReadsInFlight);

    /// <summary>Every bound node's path and status.</summary>
    public IReadOnlyDictionary<string, ZNodeStatus> NodeStatuses => _nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Status);

    /// <summary>
    /// Bumped the moment a session loss is known, before any node is told: every snapshot of an older generation is then
    /// served as invalidated (or stale, by policy) at once, so no reader can see an old value as current on one node
    /// while another already shows the loss.
    /// </summary>
    internal int LossGeneration => Volatile.Read(ref _lossGeneration);

    internal ILogger Logger { get; }

    internal RuntimeMetrics Metrics { get; }

    internal SemaphoreSlim ReadLimiter { get; }

    internal CancellationToken Lifetime => _lifetime.Token;

    /// <summary>Binds (once) the node at <paramref name="path"/> and starts watching it.</summary>
    internal ZNodeValue<T> Bind<T>(ZNodeDescriptor<T> descriptor, string path, string optionsName, IReadOnlyList<Func<string, T, IReadOnlyList<string>>> validators)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        IZNodeEntry entry = _nodes.GetOrAdd(path, p => new ZNodeValue<T>(this, descriptor, p, optionsName, validators));
        if (entry is not ZNodeValue<T> value)
        {
            throw new InvalidOperationException($"The node {path} is already bound to another type ({entry.GetType().GenericTypeArguments[0]}).");
        }

        // A node bound while a session exists starts at once (its read waits in the client's queue if the connection
        // is down right now); otherwise the Established event starts it.
        if (Session.Client is { } client && Session.IsEstablished)
        {
            value.OnEstablished(client, Session.Epoch, connected: client.State == ZooKeeperState.Connected);
        }

        return value;
    }

    /// <summary>Completes when every node bound so far has been read in the current session.</summary>
    public Task WaitForAllLoadedAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_nodes.Values.Select(n => n.Loaded)).WaitAsync(cancellationToken);

    internal void CountRead()
    {
        Interlocked.Increment(ref _readsIssued);
        Metrics.ReadIssued();
    }

    /// <summary>Takes a read slot (at most <see cref="ZkTypedStateOptions.MaxConcurrentReads"/> are held at once).</summary>
    internal async ValueTask EnterReadAsync()
    {
        await ReadLimiter.WaitAsync(Lifetime).ConfigureAwait(false);
        int inFlight = Interlocked.Increment(ref _readsInFlight);
        int peak = Volatile.Read(ref _peakReadsInFlight);
        while (inFlight > peak && Interlocked.CompareExchange(ref _peakReadsInFlight, inFlight, peak) != peak)
        {
            peak = Volatile.Read(ref _peakReadsInFlight);
        }
    }

    /// <summary>Gives a read slot back.</summary>
    internal void ExitRead()
    {
        Interlocked.Decrement(ref _readsInFlight);
        ReadLimiter.Release();
    }

    internal void Notify(Action notification) => _notifications.Post(notification);

    private void OnSessionChanged(SessionEvent e)
    {
        if (e.Kind == SessionEventKind.Lost)
        {
            Interlocked.Increment(ref _lossGeneration);
        }

        foreach (IZNodeEntry node in _nodes.Values)
        {
            switch (e.Kind)
            {
                case SessionEventKind.Established:
                    node.OnEstablished(e.Client, e.Epoch, connected: true);
                    break;
                case SessionEventKind.Disconnected:
                    node.OnDisconnected();
                    break;
                case SessionEventKind.Reconnected:
                    node.OnReconnected(e.Client, e.Epoch);
                    break;
                case SessionEventKind.Lost:
                    node.OnSessionLost(Options.SessionLossPolicy, e.Reason);
                    break;
            }
        }

        if (e.Kind == SessionEventKind.Lost)
        {
            Metrics.SessionLost();
        }
    }

    private IEnumerable<Measurement<int>> CountByStatus() =>
        _nodes.Values.GroupBy(n => n.Status).Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("zktypedstate.status", g.Key.ToString().ToLowerInvariant())));

    /// <summary>Stops notifications and reads; the session owner is disposed by its own owner.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Session.Changed -= OnSessionChanged;
        _lifetime.Cancel();
        await _notifications.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }
}

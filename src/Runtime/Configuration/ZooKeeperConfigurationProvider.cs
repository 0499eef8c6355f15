using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState.Configuration;

/// <summary>
/// A configuration provider over one or more ZooKeeper subtrees, kept live: every change (data, child added or removed,
/// subtree deleted) re-reads what changed and fires the reload token once per burst.
/// </summary>
/// <remarks>
/// <para>One ZooKeeper session per provider, owned by a <see cref="ZooKeeperSession"/> (new session after a loss, with
/// backoff). It is not shared with <c>AddZkTypedState</c>'s session: configuration is built before the DI container
/// that owns that session exists (and may configure it).</para>
/// <para><see cref="Load"/> is synchronous, as <see cref="IConfigurationProvider"/> requires: the first call blocks the
/// calling thread for at most <see cref="ZooKeeperConfigurationOptions.StartupTimeout"/> while the loading work runs on
/// the thread pool (it never needs the caller's SynchronizationContext, so it cannot deadlock on one). Later calls
/// (<c>IConfigurationRoot.Reload()</c>) only ask for a full re-read in the background and return at once. All re-reads
/// run on the provider's own background loop, never on the client's event thread.</para>
/// </remarks>
public sealed partial class ZooKeeperConfigurationProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(10);

    private readonly ZooKeeperConfigurationOptions _options;
    private readonly ILogger _logger;
    private readonly SubtreeCache[] _caches;
    private readonly Action<WatchedEvent> _watcher;
    private readonly object _gate = new();
    private readonly object _publishGate = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate: the work the background loop has still to do.
    private Dictionary<string, bool> _dirty = new(StringComparer.Ordinal);
    private bool _fullResync = true;
    private bool _cycle;
    private bool _forgetZxids;
    private long _lostEpoch;

    private ZooKeeperConfigurationStatus _status = ZooKeeperConfigurationStatus.Initial;
    private ZooKeeperSession? _session;
    private Task _loop = Task.CompletedTask;
    private int _loadCalls;
    private int _disposed;

    /// <summary>Creates the provider (it connects on the first <see cref="Load"/>).</summary>
    public ZooKeeperConfigurationProvider(ZooKeeperConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<ZooKeeperConfigurationProvider>() ?? NullLogger<ZooKeeperConfigurationProvider>.Instance;
        _caches = [.. options.Subtrees.Select(s => new SubtreeCache(s, s.FlattenJson ?? options.FlattenJson, options.TrimTrailingNewlines))];
        _watcher = OnWatchEvent;
    }

    /// <summary>Where the served keys stand (replaced on every change; see <see cref="StatusChanged"/>).</summary>
    public ZooKeeperConfigurationStatus Status => Volatile.Read(ref _status);

    /// <summary>Raised after <see cref="Status"/> changed (on the provider's loop or the session's executor: keep it short).</summary>
    public event Action<ZooKeeperConfigurationStatus>? StatusChanged;

    /// <summary>The subtrees this provider maps.</summary>
    public IReadOnlyList<string> Roots => [.. _caches.Select(c => c.Root)];

    /// <summary>
    /// The first call connects and loads every subtree, blocking for at most the startup timeout (see the remarks on the
    /// class); later calls request a full re-read in the background and return at once.
    /// </summary>
    /// <exception cref="ZooKeeperConfigurationException">Required (not <see cref="ZooKeeperConfigurationOptions.Optional"/>) and the first load failed.</exception>
    public override void Load()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Increment(ref _loadCalls) > 1)
        {
            RequestFullResync();
            return;
        }

        Start();
        Exception? failure = null;
        bool completed;
        try
        {
            // A wait on a task completed by the thread pool: nothing here needs the caller's context to make progress.
            completed = _firstLoad.Task.Wait(_options.StartupTimeout);
        }
        catch (AggregateException ex)
        {
            completed = true;
            failure = ex.InnerException;
        }

        if (completed && failure is null)
        {
            return;
        }

        if (failure is null)
        {
            ZooKeeperClient? client = _session?.Client;
            failure = new ZooKeeperConfigurationException(
                ZooKeeperConfigurationFailure.Unreachable,
                $"ZooKeeper configuration: no complete load of {string.Join(", ", Roots)} from {_options.ConnectionString} within the startup timeout of {_options.StartupTimeout.TotalMilliseconds:0} ms (session state {client?.State.ToString() ?? "none"}{(client?.LastConnectionError is { } last ? "; last connection error: " + last.Message : string.Empty)}).",
                Roots,
                client?.LastConnectionError);
        }

        if (_options.Optional)
        {
            _logger.LogWarning("{Message} The configuration provider is optional: it starts with {Count} keys and fills in when the server answers.", failure.Message, Data.Count);
            return;
        }

        Dispose();
        throw failure as ZooKeeperConfigurationException
            ?? new ZooKeeperConfigurationException(ZooKeeperConfigurationFailure.Refused, $"ZooKeeper configuration: the first load of {string.Join(", ", Roots)} failed: {failure.Message}", Roots, failure);
    }

    /// <summary>Stops the background loop and closes the session (bounded: at most about 10 s).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _wake.Writer.TryComplete();
        _firstLoad.TrySetCanceled();
        ZooKeeperSession? session = _session;
        Task stop = Task.Run(async () =>
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Cancelled by the dispose, or the loop already failed: either way it has stopped.
            }

            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        });
        if (!stop.Wait(DisposeBound))
        {
            _logger.LogWarning("The ZooKeeper configuration provider did not stop within {Bound}.", DisposeBound);
        }

        SetStatus(Status with { State = ZooKeeperConfigurationState.Disposed });
        _stopping.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ZooKeeperConfigurationProvider ({_options.ConnectionString} {string.Join(", ", Roots)})";

    private void Start()
    {
        var session = new ZooKeeperSession(_options.BuildSessionOptions(), _options.LoggerFactory);
        session.Changed += OnSessionEvent;
        _session = session;
        session.Start();
        _loop = Task.Run(() => RunAsync(_stopping.Token));
        Wake();
    }

    private void OnWatchEvent(WatchedEvent e)
    {
        if (e.Type is WatchEventType.DataWatchRemoved or WatchEventType.ChildWatchRemoved or WatchEventType.PersistentWatchRemoved)
        {
            return;
        }

        lock (_gate)
        {
            if (_dirty.Count >= _options.MaxNodes)
            {
                // Bounded: more distinct changed paths than nodes allowed means a full walk is cheaper anyway.
                _dirty.Clear();
                _fullResync = true;
            }
            else
            {
                bool readChildren = e.Type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeCreated;
                _dirty[e.Path] = readChildren || _dirty.GetValueOrDefault(e.Path);
            }
        }

        Wake();
    }

    private void OnSessionEvent(SessionEvent e)
    {
        switch (e.Kind)
        {
            case SessionEventKind.Established:
                lock (_gate)
                {
                    _forgetZxids |= e.ZxidLineageReset;
                    _fullResync |= e.ZxidLineageReset;
                    _cycle = true;
                }

                Wake();
                break;
            case SessionEventKind.Disconnected:
                SetState(ZooKeeperConfigurationState.Disconnected, onlyFrom: ZooKeeperConfigurationState.Current);
                break;
            case SessionEventKind.Reconnected:
                lock (_gate)
                {
                    // Persistent-recursive watches are re-added without replaying what changed meanwhile: walk and compare
                    // mzxids. One-shot watches got their catch-up events already, unless SetWatches failed.
                    _fullResync |= e.Restored is { } restored && (restored.PersistentRecursivePaths.Count > 0 || !restored.Complete);
                    _cycle = true;
                }

                Wake();
                break;
            case SessionEventKind.Lost:
                OnSessionLost(e);
                break;
        }
    }

    /// <summary>
    /// The loss is known: from here on nothing read in that session may be served as current. Done here, not in the
    /// loop, so it takes effect at once even while the loop waits for a read.
    /// </summary>
    private void OnSessionLost(SessionEvent e)
    {
        lock (_gate)
        {
            _lostEpoch = Math.Max(_lostEpoch, e.Epoch);
            _dirty.Clear();
            _fullResync = true;
        }

        bool invalidate = _options.SessionLossPolicy == SessionLossPolicy.InvalidateAndRebuild;
        _logger.LogWarning(
            "ZooKeeper configuration: session lost ({State}); {What} until {Roots} are re-read in a new session.",
            e.ClientState,
            invalidate ? "its keys are removed" : "its last keys are served as stale",
            string.Join(", ", Roots));
        lock (_publishGate)
        {
            if (invalidate && Data.Count > 0)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                OnReload();
            }

            SetStatus(Status with { State = ZooKeeperConfigurationState.SessionLost, KeyCount = Data.Count, Error = e.Reason });
        }

        Wake();
    }

    private void RequestFullResync()
    {
        lock (_gate)
        {
            _fullResync = true;
        }

        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private void SetState(ZooKeeperConfigurationState state, ZooKeeperConfigurationState onlyFrom)
    {
        lock (_publishGate)
        {
            if (Status.State == onlyFrom)
            {
                SetStatus(Status with { State = state });
            }
        }
    }

    private void SetStatus(ZooKeeperConfigurationStatus status)
    {
        Volatile.Write(ref _status, status);
        try
        {
            StatusChanged?.Invoke(status);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A ZooKeeper configuration status handler threw.");
        }
    }
}

using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>
/// Leader election over a <see cref="ZooKeeperSession"/>, compatible with Apache Curator's LeaderLatch, with a fencing
/// token per leadership term.
/// </summary>
/// <remarks>
/// <para><b>How it works.</b> Each participant creates an ephemeral sequential node <c>_c_{uuid}-latch-NNNNNNNNNN</c>
/// under the election path (Curator's protected LeaderLatch naming, so Java and .NET participants can share a path). The
/// participant whose node sorts lowest by sequence number leads; every other one watches only the node just before its
/// own (no herd effect: when a node goes, one participant is told). Before leadership is asserted, the node's
/// <c>ephemeralOwner</c> is checked against the current session id (CURATOR-696: after an expiry an old node must never
/// be taken for ours).</para>
/// <para><b>One state machine, one executor.</b> Session events (from <see cref="ZooKeeperSession.Changed"/>), watch
/// events and ZooKeeper replies are all turned into messages handled one at a time on a <see cref="SerialExecutor"/>;
/// ZooKeeper calls run outside it and post their results back, tagged with a generation number so that replies
/// about an abandoned node are ignored. So a disconnection is handled at once even while a request waits for
/// the connection, and a connection event and a watch event cannot race into two leaders (CURATOR-653/644/645).</para>
/// <para><b>Disconnection and session loss.</b> By default (<see cref="LeadershipDisconnectPolicy.EndLeadership"/>)
/// <see cref="IsLeader"/> turns false as soon as the connection is lost; if the same session is re-attached with the node
/// still lowest, the same term resumes. When the session is lost the node is abandoned (and deleted from the new session
/// if the old one is still alive) and the participant re-enters with a new node in the new session.</para>
/// <para><b>Leadership is a belief, not a lock.</b> A paused process (GC, VM freeze) can still believe it leads after
/// its session expired and a successor took over. Every write the leader makes must therefore be fenced: pass
/// <see cref="LeaderTerm.FencingToken"/> to an <see cref="IFencedResource{TContext}"/> (for example
/// <see cref="DbFencedResource"/>), and make ZooKeeper writes with <see cref="WriteAsLeaderAsync(LeaderTerm, IEnumerable{Op}, CancellationToken)"/>.</para>
/// <para><b>Order of a term.</b> <see cref="Acquired"/> handlers run first; only then does the term become observable
/// through <see cref="CurrentTerm"/>, <see cref="IsLeader"/> and <see cref="WaitForLeadershipAsync"/> (so no loop reading
/// them can act before its own "leading" handler ran). When the term ends, <see cref="CurrentTerm"/> turns null and
/// <see cref="LeaderTerm.Token"/> is cancelled, then <see cref="Lost"/> handlers run.</para>
/// <para>Event handlers run on the election's executor, in order: keep them short and never block in them.</para>
/// </remarks>
public sealed partial class LeaderElection : ILeaderElection, IAsyncDisposable
{
    private readonly ZooKeeperSession _session;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly SerialExecutor _executor;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _gate = new();
    private readonly List<Task> _background = [];
    private readonly ProtectedNodes _nodes;
    private readonly Action<SessionEvent> _sessionHandler;
    private readonly Action<WatchedEvent> _predecessorWatcher;
    private readonly Action<WatchedEvent> _selfWatcher;
    private TaskCompletionSource<LeaderTerm> _acquiredSignal = NewSignal();
    private volatile LeaderTerm? _currentTerm;
    private volatile Candidate? _candidate;
    private long _generation;
    private int _disposed;

    // Stopwatch timestamp of the sending of the latest request of the leading session that was answered (see IsLive).
    private long _lastAnsweredSend;

    // Confined to the executor.
    private bool _participating;
    private string? _watchedPredecessor;
    private LeaderTerm? _suspendedTerm;
    private volatile LeaderTerm? _pendingTerm; // While its Acquired handlers run (read by MarkAnswered).

    /// <summary>Creates a participant (call <see cref="StartAsync"/> to join the election).</summary>
    /// <param name="session">The application's session owner. The election follows it across session replacements; it is not disposed with the election.</param>
    /// <param name="electionPath">The election (latch) path, e.g. <c>/services/billing/leader</c>. Shared with Curator LeaderLatch participants using the same path.</param>
    /// <param name="options">Settings (copied: later changes have no effect); null for the defaults.</param>
    /// <param name="loggerFactory">Where to log (category <c>ZkTypedState.Recipes.LeaderElection</c>); null for none.</param>
    public LeaderElection(ZooKeeperSession session, string electionPath, LeaderElectionOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(session, electionPath, null, options, loggerFactory)
    {
    }

    internal LeaderElection(ZooKeeperSession session, string electionPath, string? name, LeaderElectionOptions? options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(session);
        ZooKeeperPath.Validate(electionPath);
        if (electionPath == "/")
        {
            throw new ArgumentException("The election path cannot be the root.", nameof(electionPath));
        }

        _session = session;
        ElectionPath = electionPath;
        Name = name ?? electionPath;
        _options = (options ?? new LeaderElectionOptions()).Clone();
        _options.Validate();
        IReadOnlyList<Acl> acl = _options.DefaultAcl is { } own ? [.. own] : session.DefaultAcl;
        session.ValidateAcl(acl, "LeaderElectionOptions.DefaultAcl");
        _logger = (ILogger?)loggerFactory?.CreateLogger<LeaderElection>() ?? NullLogger.Instance;
        _executor = new SerialExecutor(_logger);
        _nodes = new ProtectedNodes(electionPath, SequentialNodeNames.Latch, Encoding.UTF8.GetBytes(_options.ParticipantId), acl, _options.CreateParentsAsContainers, _options.CloseTimeout, _logger);
        _sessionHandler = e => _executor.Post(() => OnSessionEvent(e));
        _predecessorWatcher = e => _executor.Post(() => OnPredecessorEvent(e));
        _selfWatcher = e => _executor.Post(() => OnSelfEvent(e));
        _session.Changed += _sessionHandler;
    }

    /// <summary>Raised (on the election's executor, in order with <see cref="Lost"/>) when this participant becomes the leader.</summary>
    public event Action<LeadershipAcquired>? Acquired;

    /// <summary>Raised (on the election's executor, in order with <see cref="Acquired"/>) when this participant stops being the leader.</summary>
    public event Action<LeadershipLost>? Lost;

    /// <summary>The election path.</summary>
    public string ElectionPath { get; }

    /// <summary>The registration name given to <c>AddLeaderElection</c>, or the election path when built by hand.</summary>
    public string Name { get; }

    /// <summary>This participant's id (stored in its election node).</summary>
    public string ParticipantId => _options.ParticipantId;

    /// <summary>
    /// True while this participant believes it leads. Under the default policy it turns false as soon as the connection
    /// is lost. A belief can be stale (a paused process): fence writes with <see cref="CurrentTerm"/>'s token.
    /// </summary>
    /// <remarks>
    /// Besides the state machine's own view, the getter checks the session's client directly, so it is false from the
    /// instant the client's state changes (disconnected under the default policy, session lost, closed), even before the
    /// corresponding <see cref="Lost"/> event has been raised. Under the default policy it is also false once no request
    /// of the leading session sent within the last read timeout (2/3 of the negotiated session timeout) was answered:
    /// after a pause or during a partition the belief ends before the client declares the connection lost. The leader
    /// sends a small request (exists on its node) every third of the read timeout to keep this fresh; the term itself
    /// ends only on a state-machine event (<see cref="Lost"/>), and the fence still decides every write.
    /// </remarks>
    public bool IsLeader => CurrentTerm is not null;

    /// <summary>
    /// The current leadership term while <see cref="IsLeader"/>, otherwise null. A new term becomes visible here only
    /// after its <see cref="Acquired"/> handlers ran; it is null before the <see cref="Lost"/> handlers of its end run.
    /// </summary>
    public LeaderTerm? CurrentTerm => _currentTerm is { } term && IsLive(term) ? term : null;

    /// <inheritdoc />
    public LeadershipRole Role =>
        IsLeader ? LeadershipRole.Leading
        : Volatile.Read(ref _disposed) == 0 && _candidate is not null ? LeadershipRole.Following
        : LeadershipRole.NotParticipating;

    ILeadershipTerm? ILeaderElection.CurrentTerm => CurrentTerm;

    /// <summary>This participant's current election node, or null while it has none (not started, creating, or between sessions).</summary>
    public string? NodePath => _candidate?.Path;

    /// <summary>
    /// Joins the election (starting the session owner if it was not started): creates the election node as soon as a
    /// session is connected. Completes once the request is queued; use <see cref="WaitForLeadershipAsync"/> or
    /// <see cref="Acquired"/> to learn of leadership. Idempotent; after <see cref="StepDownAsync"/> it re-joins with a new node.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the executor.</param>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _session.Start();
        return _executor.InvokeAsync(() =>
        {
            if (!_participating && Volatile.Read(ref _disposed) == 0)
            {
                _participating = true;
                BeginNewCandidate();
            }

            return Task.CompletedTask;
        }).WaitAsync(cancellationToken);
    }

    async Task<ILeadershipTerm> ILeaderElection.WaitForLeadershipAsync(CancellationToken cancellationToken) =>
        await WaitForLeadershipAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Completes with the term as soon as this participant leads (at once if it already does).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ObjectDisposedException">The election was disposed.</exception>
    public async Task<LeaderTerm> WaitForLeadershipAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task<LeaderTerm> signal;
            lock (_gate)
            {
                if (CurrentTerm is { } term)
                {
                    return term;
                }

                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                signal = _acquiredSignal.Task;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Leaves the election: leadership ends at once (<see cref="LeadershipLossReason.SteppedDown"/>) and the election node is
    /// deleted, so the next participant takes over. Call <see cref="StartAsync"/> to re-join at the back of the queue.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for the deletion (which is retried across connection losses).</param>
    public async Task StepDownAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Candidate? abandoned = null;
        await _executor.InvokeAsync(() =>
        {
            abandoned = Leave(LeadershipLossReason.SteppedDown);
            return Task.CompletedTask;
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (abandoned is not null)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
            await ProtectedNodes.DeleteAsync(abandoned.Client, abandoned.Path, linked.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies <paramref name="operations"/> atomically only while this participant still leads in its current term:
    /// a multi that starts with a check on the term's election node (see
    /// <see cref="WriteAsLeaderAsync(LeaderTerm, IEnumerable{Op}, CancellationToken)"/>).
    /// </summary>
    /// <param name="operations">The write operations.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    /// <returns>The results of <paramref name="operations"/> (the guard's own result left out).</returns>
    /// <exception cref="LeadershipLostException">This participant is not the leader, or the term ended; nothing was applied.</exception>
    public Task<IReadOnlyList<OpResult>> WriteAsLeaderAsync(IEnumerable<Op> operations, CancellationToken cancellationToken = default)
    {
        LeaderTerm term = CurrentTerm ?? throw new LeadershipLostException(null, $"This participant does not lead the election at '{ElectionPath}'; the write was not sent.");
        return WriteAsLeaderAsync(term, operations, cancellationToken);
    }

    /// <summary>
    /// ZooKeeper-side fencing: applies <paramref name="operations"/> atomically only if <paramref name="term"/> is still
    /// the leading term, checked by the server in the same transaction (a multi whose first operation is a check that
    /// the term's election node exists; a node that once was lowest stays lowest while it exists, so it exists exactly as
    /// long as the term lasts). The local <see cref="IsLeader"/> is not consulted: the server decides.
    /// </summary>
    /// <param name="term">The term captured when leadership was acquired.</param>
    /// <param name="operations">The write operations (create, delete, setData, check).</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    /// <returns>The results of <paramref name="operations"/> (the guard's own result left out).</returns>
    /// <exception cref="LeadershipLostException">The term is over (its node is gone, or its session expired or was replaced); nothing was applied.</exception>
    /// <exception cref="KeeperException">One of <paramref name="operations"/> failed (nothing was applied), or
    /// <see cref="ConnectionLossException"/>: the outcome is unknown.</exception>
    public async Task<IReadOnlyList<OpResult>> WriteAsLeaderAsync(LeaderTerm term, IEnumerable<Op> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(operations);
        ZooKeeperClient? client = _session.Client;
        if (client is null || client.SessionId != term.SessionId)
        {
            throw new LeadershipLostException(
                term,
                $"The session 0x{term.SessionId:x} of {term} was replaced (now 0x{client?.SessionId ?? 0:x}); the write was not sent.");
        }

        List<Op> guarded = [new Op.Check(term.NodePath, -1), .. operations];
        try
        {
            long sent = Stopwatch.GetTimestamp();
            IReadOnlyList<OpResult> results = await client.MultiAsync(guarded, cancellationToken).ConfigureAwait(false);
            MarkAnswered(term, sent);
            return results.Skip(1).ToList();
        }
        catch (KeeperException ex) when (ex.Results is { Count: > 0 } results && results[0] is OpResult.Error { Code: not ZooKeeperErrorCode.Ok })
        {
            throw new LeadershipLostException(term, $"The election node of {term} no longer exists: the term is over and the write was not applied.", ex);
        }
        catch (SessionExpiredException ex)
        {
            throw new LeadershipLostException(term, $"The session of {term} expired: the term is over and the write was not applied.", ex);
        }
    }

    /// <summary>Lists the participants in election order (the leader first), reading their ids from ZooKeeper.</summary>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<IReadOnlyList<ElectionParticipant>> GetParticipantsAsync(CancellationToken cancellationToken = default)
    {
        ZooKeeperClient client = await _session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
        NodeChildren children;
        try
        {
            children = await client.GetChildrenAsync(ElectionPath, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return [];
        }

        var participants = new List<ElectionParticipant>();
        foreach (string name in LatchNodes.Sort(children.Children))
        {
            string path = ZooKeeperPath.Combine(ElectionPath, name);
            try
            {
                NodeData data = await client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
                participants.Add(new ElectionParticipant(path, Encoding.UTF8.GetString(data.Data), participants.Count == 0, data.Stat.Czxid, data.Stat.EphemeralOwner));
            }
            catch (NoNodeException)
            {
                // Left meanwhile.
            }
        }

        return participants;
    }

    /// <summary>
    /// Leaves the election (leadership ends with <see cref="LeadershipLossReason.Closed"/>, the node is deleted within
    /// <see cref="LeaderElectionOptions.CloseTimeout"/>) and stops every background task. The session owner is not disposed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session.Changed -= _sessionHandler;
        Candidate? abandoned = null;
        try
        {
            await _executor.InvokeAsync(() =>
            {
                abandoned = Leave(LeadershipLossReason.Closed);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        if (abandoned is not null)
        {
            using var timeout = new CancellationTokenSource(_options.CloseTimeout);
            try
            {
                await ProtectedNodes.DeleteAsync(abandoned.Client, abandoned.Path, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not delete election node {Path} on close; it goes with its session.", abandoned.Path);
            }
        }

        // Stop: cancel every ZooKeeper call, let the executor run what is queued (each message sees the stale
        // generation or the cancelled token and ends at once), then wait for the calls. A create already sent is not
        // abandoned: its reply is taken over and its node deleted (waited for up to CloseTimeout), so no orphan is left.
        _lifetime.Cancel();
        lock (_gate)
        {
            _acquiredSignal.TrySetException(new ObjectDisposedException(nameof(LeaderElection)));
        }

        await _executor.DisposeAsync().ConfigureAwait(false);
        Task[] background;
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
            // Each task logs its own failures; cancellation is expected here.
        }

        await _nodes.WhenCleanedUpAsync(_options.CloseTimeout).ConfigureAwait(false);

        _lifetime.Dispose();
    }
}

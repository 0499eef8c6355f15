using System.Collections.Concurrent;
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
/// <para>Event handlers run on the election's executor, in order: keep them short and never block in them.</para>
/// </remarks>
public sealed class LeaderElection : IAsyncDisposable
{
    private readonly ZooKeeperSession _session;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly SerialExecutor _executor;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly object _gate = new();
    private readonly List<Task> _background = [];
    private readonly ConcurrentQueue<string> _staleNodes = new();
    private readonly byte[] _data;
    private readonly Action<SessionEvent> _sessionHandler;
    private readonly Action<WatchedEvent> _predecessorWatcher;
    private readonly Action<WatchedEvent> _selfWatcher;
    private TaskCompletionSource<LeaderTerm> _acquiredSignal = NewSignal();
    private volatile LeaderTerm? _currentTerm;
    private volatile Candidate? _candidate;
    private long _generation;
    private int _disposed;
    private int _recoveredCreates;

    // Confined to the executor.
    private bool _participating;
    private string? _watchedPredecessor;
    private LeaderTerm? _suspendedTerm;

    /// <summary>Creates a participant (call <see cref="StartAsync"/> to join the election).</summary>
    /// <param name="session">The application's session owner. The election follows it across session replacements; it is not disposed with the election.</param>
    /// <param name="electionPath">The election (latch) path, e.g. <c>/services/billing/leader</c>. Shared with Curator LeaderLatch participants using the same path.</param>
    /// <param name="options">Settings (copied: later changes have no effect); null for the defaults.</param>
    /// <param name="logger">Where to log; null for none.</param>
    public LeaderElection(ZooKeeperSession session, string electionPath, LeaderElectionOptions? options = null, ILogger<LeaderElection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ZooKeeperPath.Validate(electionPath);
        if (electionPath == "/")
        {
            throw new ArgumentException("The election path cannot be the root.", nameof(electionPath));
        }

        _session = session;
        ElectionPath = electionPath;
        _options = (options ?? new LeaderElectionOptions()).Clone();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _executor = new SerialExecutor(_logger);
        _data = Encoding.UTF8.GetBytes(_options.ParticipantId);
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

    /// <summary>This participant's id (stored in its election node).</summary>
    public string ParticipantId => _options.ParticipantId;

    /// <summary>
    /// True while this participant believes it leads. Under the default policy it turns false as soon as the connection
    /// is lost. A belief can be stale (a paused process): fence writes with <see cref="CurrentTerm"/>'s token.
    /// </summary>
    /// <remarks>
    /// Besides the state machine's own view, the getter checks the session's client directly, so it is false from the
    /// instant the client's state changes (disconnected under the default policy, session lost, closed), even before the
    /// corresponding <see cref="Lost"/> event has been raised.
    /// </remarks>
    public bool IsLeader => CurrentTerm is not null;

    /// <summary>The current leadership term while <see cref="IsLeader"/>, otherwise null.</summary>
    public LeaderTerm? CurrentTerm => _currentTerm is { } term && IsLive(term) ? term : null;

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
            await DeleteNodeAsync(abandoned, linked.Token).ConfigureAwait(false);
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
            IReadOnlyList<OpResult> results = await client.MultiAsync(guarded, cancellationToken).ConfigureAwait(false);
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
                await DeleteNodeAsync(abandoned, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Could not delete election node {Path} on close; it goes with its session.", abandoned.Path);
            }
        }

        // Stop: cancel every ZooKeeper call, let the executor run what is queued (each message sees the stale
        // generation or the cancelled token and ends at once), then wait for the calls.
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

        _lifetime.Dispose();
    }

    /// <summary>Test hook: makes the state machine take <paramref name="path"/> as its own node, as Curator's CURATOR-696 bug did with a stale path.</summary>
    internal Task AdoptNodeForTestingAsync(string path) => _executor.InvokeAsync(async () =>
    {
        ZooKeeperClient client = await _session.GetConnectedClientAsync(_lifetime.Token).ConfigureAwait(false);
        if (_candidate is { } previous)
        {
            await client.DeleteAsync(previous.Path, -1, _lifetime.Token).ConfigureAwait(false);
        }

        Stat? stat = await client.ExistsAsync(path, null, _lifetime.Token).ConfigureAwait(false);
        Interlocked.Increment(ref _generation);
        _watchedPredecessor = null;
        _candidate = new Candidate(path, LatchNodes.NameOf(path), client, client.SessionId, _session.Epoch, stat?.Czxid ?? 0, LatchNodes.SequenceOf(LatchNodes.NameOf(path)));
        CheckLeadership();
    });

    /// <summary>Test hook: completes once everything queued on the executor so far has run.</summary>
    internal Task FlushForTestingAsync() => _executor.InvokeAsync(() => Task.CompletedTask);

    /// <summary>Test hook: creates whose reply was lost and whose node was found again by its protected prefix.</summary>
    internal int RecoveredCreates => Volatile.Read(ref _recoveredCreates);

    /// <summary>Test hook: background tasks not yet completed.</summary>
    internal int RunningBackgroundTasks
    {
        get
        {
            lock (_gate)
            {
                return _background.Count(t => !t.IsCompleted);
            }
        }
    }

    /// <summary>Whether the session behind <paramref name="term"/> is still in a state where the term can hold.</summary>
    private bool IsLive(LeaderTerm term)
    {
        ZooKeeperClient? client = _session.Client;
        if (client is null || client.SessionId != term.SessionId)
        {
            return false;
        }

        ZooKeeperState state = client.State;
        return state == ZooKeeperState.Connected
            || (state == ZooKeeperState.Disconnected && _options.DisconnectPolicy == LeadershipDisconnectPolicy.KeepUntilSessionLost);
    }

    // ---- The state machine (runs on the executor) -------------------------------------------------------------------

    private long Generation => Interlocked.Read(ref _generation);

    private bool IsCurrent(long generation) => Generation == generation && Volatile.Read(ref _disposed) == 0;

    /// <summary>Abandons the current node (if any) and starts creating a new one in the current or next session.</summary>
    private void BeginNewCandidate()
    {
        long generation = Interlocked.Increment(ref _generation);
        _candidate = null;
        _watchedPredecessor = null;
        _suspendedTerm = null;
        Track(CreateCandidateAsync(generation));
    }

    /// <summary>Stops participating: ends leadership and returns the node to delete.</summary>
    private Candidate? Leave(LeadershipLossReason reason)
    {
        Candidate? abandoned = _candidate;
        _participating = false;
        Interlocked.Increment(ref _generation);
        _candidate = null;
        _watchedPredecessor = null;
        _suspendedTerm = null;
        EndLeadership(reason);
        return abandoned;
    }

    private void OnCandidateCreated(long generation, ZooKeeperClient client, CreatedNode node, long epoch)
    {
        if (generation != Generation || !_participating || Volatile.Read(ref _disposed) != 0)
        {
            Track(DeleteQuietlyAsync(client, node.Path));
            return;
        }

        if (!ReferenceEquals(client, _session.Client) || node.Stat.EphemeralOwner != client.SessionId)
        {
            // The session changed while the node was being created: it belongs to a session we no longer use.
            _logger.LogInformation("Election node {Path} was created in session 0x{Session:x}, which is no longer current; creating a new one.", node.Path, client.SessionId);
            Track(DeleteQuietlyAsync(client, node.Path));
            BeginNewCandidate();
            return;
        }

        string name = LatchNodes.NameOf(node.Path);
        _candidate = new Candidate(node.Path, name, client, client.SessionId, epoch, node.Stat.Czxid, LatchNodes.SequenceOf(name));
        _logger.LogDebug("Joined election {ElectionPath} with node {Path} (czxid 0x{Czxid:x}, session 0x{Session:x}).", ElectionPath, node.Path, node.Stat.Czxid, client.SessionId);
        CheckLeadership();
    }

    /// <summary>Reads the children and decides: lead, watch the predecessor, or re-enter.</summary>
    private void CheckLeadership()
    {
        if (_candidate is not { } candidate)
        {
            return;
        }

        long generation = Generation;
        Launch(generation, candidate, async ct =>
        {
            try
            {
                NodeChildren children = await candidate.Client.GetChildrenAsync(ElectionPath, null, ct).ConfigureAwait(false);
                _executor.Post(() => OnChildren(generation, candidate, children.Children));
            }
            catch (NoNodeException)
            {
                _executor.Post(() => OnNodeGone(generation, candidate, "the election path is gone"));
            }
        });
    }

    private void OnChildren(long generation, Candidate candidate, IReadOnlyList<string> children)
    {
        if (generation != Generation || !ReferenceEquals(candidate, _candidate))
        {
            return;
        }

        List<string> sorted = LatchNodes.Sort(children);
        int index = sorted.IndexOf(candidate.Name);
        if (index < 0)
        {
            OnNodeGone(generation, candidate, "it is no longer among the election's children");
            return;
        }

        if (index == 0)
        {
            // Lowest: verify the node is this session's before asserting leadership (CURATOR-696), and watch it.
            Launch(generation, candidate, async ct =>
            {
                Stat? stat = await candidate.Client.ExistsAsync(candidate.Path, _selfWatcher, ct).ConfigureAwait(false);
                _executor.Post(() => OnVerified(generation, candidate, stat));
            });
            return;
        }

        if (_currentTerm is not null)
        {
            // A node that once was lowest stays lowest while it exists; seeing otherwise means the view is inconsistent.
            _logger.LogError("Election node {Path} led but is now at position {Index}; ending leadership.", candidate.Path, index);
            EndLeadership(LeadershipLossReason.NodeLost);
        }

        string predecessor = ZooKeeperPath.Combine(ElectionPath, sorted[index - 1]);
        _watchedPredecessor = predecessor;
        Launch(generation, candidate, async ct =>
        {
            try
            {
                // getData rather than exists: on a node that is already gone it leaves no watch behind (as Curator does).
                await candidate.Client.GetDataAsync(predecessor, _predecessorWatcher, ct).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                _executor.Post(() =>
                {
                    if (generation == Generation && ReferenceEquals(candidate, _candidate))
                    {
                        CheckLeadership();
                    }
                });
            }
        });
    }

    private void OnVerified(long generation, Candidate candidate, Stat? stat)
    {
        if (generation != Generation || !ReferenceEquals(candidate, _candidate))
        {
            return;
        }

        if (stat is not { } found)
        {
            OnNodeGone(generation, candidate, "it no longer exists");
            return;
        }

        ZooKeeperClient? current = _session.Client;
        if (found.EphemeralOwner != candidate.Client.SessionId || !ReferenceEquals(current, candidate.Client) || current.SessionId != candidate.SessionId)
        {
            // CURATOR-696: never assert leadership on a node this session does not own.
            _logger.LogWarning(
                "Election node {Path} is owned by session 0x{Owner:x}, not by the current session 0x{Session:x}: it is not ours. Re-entering with a new node.",
                candidate.Path,
                found.EphemeralOwner,
                current?.SessionId ?? 0);
            EndLeadership(LeadershipLossReason.NodeLost);
            if (_participating)
            {
                BeginNewCandidate();
            }

            return;
        }

        if (_options.DisconnectPolicy == LeadershipDisconnectPolicy.EndLeadership && candidate.Client.State != ZooKeeperState.Connected)
        {
            return; // Re-checked on Reconnected.
        }

        if (_currentTerm is not null)
        {
            return;
        }

        bool resumed = _suspendedTerm is { } suspended && suspended.NodePath == candidate.Path && suspended.SessionId == candidate.SessionId;
        LeaderTerm term = resumed
            ? _suspendedTerm!
            : new LeaderTerm(found.Czxid, candidate.SessionId, candidate.Epoch, candidate.Path, candidate.Sequence, _options.ParticipantId, DateTimeOffset.UtcNow);
        _suspendedTerm = null;
        lock (_gate)
        {
            _currentTerm = term;
            _acquiredSignal.TrySetResult(term);
            _acquiredSignal = NewSignal();
        }

        _logger.LogInformation("Leadership of {ElectionPath} acquired{Resumed}: {Term}.", ElectionPath, resumed ? " (resumed)" : string.Empty, term);
        Raise(Acquired, new LeadershipAcquired(term, resumed));
    }

    private void OnNodeGone(long generation, Candidate candidate, string why)
    {
        if (generation != Generation || !ReferenceEquals(candidate, _candidate))
        {
            return;
        }

        _logger.LogWarning("Election node {Path} is lost ({Why}); re-entering the election.", candidate.Path, why);
        EndLeadership(LeadershipLossReason.NodeLost);
        if (_participating)
        {
            BeginNewCandidate();
        }
    }

    private void OnPredecessorEvent(WatchedEvent watchedEvent)
    {
        if (_candidate is not null && watchedEvent.Path == _watchedPredecessor)
        {
            _watchedPredecessor = null;
            CheckLeadership();
        }
    }

    private void OnSelfEvent(WatchedEvent watchedEvent)
    {
        if (_candidate is { } candidate && watchedEvent.Path == candidate.Path)
        {
            CheckLeadership();
        }
    }

    private void OnSessionEvent(SessionEvent sessionEvent)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        Candidate? candidate = _candidate;
        switch (sessionEvent.Kind)
        {
            case SessionEventKind.Disconnected:
                if (_options.DisconnectPolicy == LeadershipDisconnectPolicy.EndLeadership && _currentTerm is { } term && term.SessionId == sessionEvent.SessionId)
                {
                    _suspendedTerm = term;
                    EndLeadership(LeadershipLossReason.Disconnected);
                }

                break;
            case SessionEventKind.Reconnected:
                if (candidate is not null && candidate.SessionId == sessionEvent.SessionId)
                {
                    // Watches were restored by the client, but the view may have changed meanwhile: look again (as Curator does).
                    CheckLeadership();
                }

                break;
            case SessionEventKind.Lost:
                if (candidate is not null)
                {
                    // The old session may still be alive on the server (presumed, not confirmed): delete its node from the
                    // next session so the successor does not wait for the server's expiry.
                    _staleNodes.Enqueue(candidate.Path);
                }

                EndLeadership(LeadershipLossReason.SessionLost);
                if (_participating)
                {
                    BeginNewCandidate();
                }

                break;
            case SessionEventKind.Established:
                if (candidate is not null && candidate.SessionId != sessionEvent.SessionId)
                {
                    // A new session without a Lost for ours (defensive): the node belongs to a dead session.
                    _staleNodes.Enqueue(candidate.Path);
                    EndLeadership(LeadershipLossReason.SessionLost);
                    if (_participating)
                    {
                        BeginNewCandidate();
                    }
                }

                break;
            case SessionEventKind.Closed:
                _participating = false;
                Interlocked.Increment(ref _generation);
                _candidate = null;
                _suspendedTerm = null;
                EndLeadership(LeadershipLossReason.Closed);
                break;
        }
    }

    private void EndLeadership(LeadershipLossReason reason)
    {
        if (reason != LeadershipLossReason.Disconnected)
        {
            _suspendedTerm = null;
        }

        LeaderTerm? term;
        lock (_gate)
        {
            term = _currentTerm;
            _currentTerm = null;
        }

        if (term is null)
        {
            return;
        }

        _logger.LogInformation("Leadership of {ElectionPath} lost ({Reason}): {Term}.", ElectionPath, reason, term);
        Raise(Lost, new LeadershipLost(term, reason));
    }

    private void Raise<T>(Action<T>? handler, T args)
    {
        if (handler is null)
        {
            return;
        }

        foreach (Action<T> single in handler.GetInvocationList().Cast<Action<T>>())
        {
            try
            {
                single(args);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A leadership event handler threw for {Event}.", args);
            }
        }
    }

    // ---- ZooKeeper calls (run outside the executor, post their results to it) ------------------------------------------

    /// <summary>Creates the election node in the next connected session (Curator's protected create).</summary>
    private async Task CreateCandidateAsync(long generation)
    {
        CancellationToken ct = _lifetime.Token;
        int failures = 0;
        while (IsCurrent(generation))
        {
            ZooKeeperClient client;
            try
            {
                client = await _session.GetConnectedClientAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            long epoch = _session.Epoch;
            if (!IsCurrent(generation))
            {
                return;
            }

            try
            {
                await DeleteStaleNodesAsync(client, ct).ConfigureAwait(false);
                CreatedNode node = await CreateProtectedAsync(client, generation, ct).ConfigureAwait(false);
                if (!_executor.Post(() => OnCandidateCreated(generation, client, node, epoch)))
                {
                    await DeleteQuietlyAsync(client, node.Path).ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsSessionEnd(ex, client))
            {
                // The session's Lost event starts the next attempt in the next session.
                return;
            }
            catch (StaleGenerationException)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                _logger.LogWarning(ex, "Could not create the election node under {ElectionPath} (attempt {Attempt}); retrying.", ElectionPath, failures);
                if (!await DelayAsync(failures, ct).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// create(EPHEMERAL_SEQUENTIAL) of <c>_c_{uuid}-latch-</c>. A ConnectionLoss leaves the outcome unknown: once
    /// reconnected, look for a child with our protected prefix (owned by this session) before creating again, so a
    /// retried create never leaves a duplicate node that would block the election.
    /// </summary>
    private async Task<CreatedNode> CreateProtectedAsync(ZooKeeperClient client, long generation, CancellationToken ct)
    {
        string protectedId = Guid.NewGuid().ToString("D");
        string prefixPath = ZooKeeperPath.Combine(ElectionPath, LatchNodes.NamePrefix(protectedId));
        bool mayExist = false;
        while (true)
        {
            if (!IsCurrent(generation))
            {
                throw new StaleGenerationException();
            }

            try
            {
                if (mayExist && await FindProtectedAsync(client, protectedId, ct).ConfigureAwait(false) is { } found)
                {
                    return found;
                }

                mayExist = true;
                return await client.CreateAsync(prefixPath, _data, CreateMode.EphemeralSequential, null, 0, ct).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                mayExist = false;
                await EnsureParentsAsync(client, ct).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                await client.WaitForConnectedAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<CreatedNode?> FindProtectedAsync(ZooKeeperClient client, string protectedId, CancellationToken ct)
    {
        NodeChildren children;
        try
        {
            children = await client.GetChildrenAsync(ElectionPath, null, ct).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }

        string prefix = LatchNodes.ProtectedIdPrefix(protectedId);
        foreach (string child in children.Children)
        {
            if (!child.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string path = ZooKeeperPath.Combine(ElectionPath, child);
            Stat? stat = await client.ExistsAsync(path, null, ct).ConfigureAwait(false);
            if (stat is { } s && s.EphemeralOwner == client.SessionId)
            {
                _logger.LogDebug("Found election node {Path} created before a connection loss.", path);
                Interlocked.Increment(ref _recoveredCreates);
                return new CreatedNode(path, s);
            }
        }

        return null;
    }

    private async Task EnsureParentsAsync(ZooKeeperClient client, CancellationToken ct)
    {
        string[] segments = ElectionPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string path = string.Empty;
        foreach (string segment in segments)
        {
            path += "/" + segment;
            if (await client.ExistsAsync(path, null, ct).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await client.CreateAsync(path, default, _options.CreateParentsAsContainers ? CreateMode.Container : CreateMode.Persistent, null, 0, ct).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
            }
            catch (UnimplementedException)
            {
                // A server without container support (before 3.5.3): fall back to a persistent node, as Curator does.
                try
                {
                    await client.CreateAsync(path, default, CreateMode.Persistent, null, 0, ct).ConfigureAwait(false);
                }
                catch (NodeExistsException)
                {
                }
            }
        }
    }

    private async Task DeleteStaleNodesAsync(ZooKeeperClient client, CancellationToken ct)
    {
        while (_staleNodes.TryDequeue(out string? path))
        {
            try
            {
                Stat? stat = await client.ExistsAsync(path, null, ct).ConfigureAwait(false);
                if (stat is { } s && s.EphemeralOwner != client.SessionId)
                {
                    await client.DeleteAsync(path, s.Version, ct).ConfigureAwait(false);
                    _logger.LogInformation("Deleted election node {Path} of the lost session 0x{Owner:x}.", path, s.EphemeralOwner);
                }
            }
            catch (Exception ex) when (ex is NoNodeException or BadVersionException)
            {
            }
        }
    }

    /// <summary>Deletes our node, retrying across connection losses; done when it is gone or its session is.</summary>
    private async Task DeleteNodeAsync(Candidate candidate, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await candidate.Client.DeleteAsync(candidate.Path, -1, ct).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (Exception ex) when (IsSessionEnd(ex, candidate.Client))
            {
                return; // The node goes with its session.
            }
            catch (ConnectionLossException)
            {
                await candidate.Client.WaitForConnectedAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private async Task DeleteQuietlyAsync(ZooKeeperClient client, string path)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout.CancelAfter(_options.CloseTimeout);
        try
        {
            await client.DeleteAsync(path, -1, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Could not delete abandoned election node {Path}; it goes with its session.", path);
        }
    }

    /// <summary>Runs a ZooKeeper step for <paramref name="candidate"/> outside the executor.</summary>
    private void Launch(long generation, Candidate candidate, Func<CancellationToken, Task> step)
    {
        Track(RunAsync());

        async Task RunAsync()
        {
            CancellationToken ct = _lifetime.Token;
            try
            {
                await step(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (ConnectionLossException)
            {
                // Disconnected: the Reconnected event (same session) or the Lost event (new session) takes over.
            }
            catch (Exception ex) when (IsSessionEnd(ex, candidate.Client))
            {
                // The session's Lost event takes over.
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Election step for {Path} failed; checking again.", candidate.Path);
                if (await DelayAsync(1, ct).ConfigureAwait(false))
                {
                    _executor.Post(() =>
                    {
                        if (generation == Generation && ReferenceEquals(candidate, _candidate))
                        {
                            CheckLeadership();
                        }
                    });
                }
            }
        }
    }

    private static bool IsSessionEnd(Exception ex, ZooKeeperClient client) =>
        ex is SessionExpiredException or AuthFailedException or ObjectDisposedException || client.State.IsTerminal();

    private async Task<bool> DelayAsync(int failures, CancellationToken ct)
    {
        double ms = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 16)));
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(ms * (0.5 + (Random.Shared.NextDouble() / 2))), ct).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
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

    private static TaskCompletionSource<LeaderTerm> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Our election node and the session (client) that created it.</summary>
    private sealed record Candidate(string Path, string Name, ZooKeeperClient Client, long SessionId, long Epoch, long Czxid, long Sequence);

    private sealed class StaleGenerationException : Exception
    {
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

// The election state machine: messages handled one at a time on the executor.
public sealed partial class LeaderElection
{
    /// <summary>Whether the session behind <paramref name="term"/> is still in a state where the term can hold.</summary>
    private bool IsLive(LeaderTerm term)
    {
        ZooKeeperClient? client = _session.Client;
        if (client is null || client.SessionId != term.SessionId)
        {
            return false;
        }

        ZooKeeperState state = client.State;
        if (_options.DisconnectPolicy == LeadershipDisconnectPolicy.KeepUntilSessionLost)
        {
            return state is ZooKeeperState.Connected or ZooKeeperState.Disconnected;
        }

        // Connected is not enough: the client notices a silent server only after its read timeout (and a paused
        // process not until its timers run again). A request sent at t and answered proves the session was alive at
        // some time after t, so it cannot have expired before t + session timeout; 2/3 of it leaves room for one write.
        return state == ZooKeeperState.Connected && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastAnsweredSend)) < ReadTimeout(client);
    }

    /// <summary>The client's read timeout: 2/3 of the negotiated session timeout, as the Java client and ours use.</summary>
    private static TimeSpan ReadTimeout(ZooKeeperClient client) => client.NegotiatedSessionTimeout * 2 / 3;

    /// <summary>Records that a request of <paramref name="term"/>'s session sent at <paramref name="sentTimestamp"/> was answered.</summary>
    private void MarkAnswered(LeaderTerm term, long sentTimestamp)
    {
        if (!ReferenceEquals(_currentTerm, term) && !ReferenceEquals(_pendingTerm, term))
        {
            return;
        }

        long seen = Interlocked.Read(ref _lastAnsweredSend);
        while (sentTimestamp > seen)
        {
            long witnessed = Interlocked.CompareExchange(ref _lastAnsweredSend, sentTimestamp, seen);
            if (witnessed == seen)
            {
                return;
            }

            seen = witnessed;
        }
    }

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
            Track(_nodes.DeleteQuietlyAsync(client, node.Path));
            return;
        }

        if (!ReferenceEquals(client, _session.Client) || node.Stat.EphemeralOwner != client.SessionId)
        {
            // The session changed while the node was being created: it belongs to a session we no longer use.
            _logger.LogInformation("Election node {Path} was created in session 0x{Session:x}, which is no longer current; creating a new one.", node.Path, client.SessionId);
            Track(_nodes.DeleteQuietlyAsync(client, node.Path));
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
                long sent = Stopwatch.GetTimestamp();
                Stat? stat = await candidate.Client.ExistsAsync(candidate.Path, _selfWatcher, ct).ConfigureAwait(false);
                _executor.Post(() => OnVerified(generation, candidate, stat, sent));
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

    private void OnVerified(long generation, Candidate candidate, Stat? stat, long sentTimestamp)
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
            ? _suspendedTerm!.Resume()
            : new LeaderTerm(found.Czxid, candidate.SessionId, candidate.Epoch, candidate.Path, candidate.Sequence, _options.ParticipantId, DateTimeOffset.UtcNow);
        _suspendedTerm = null;
        Interlocked.Exchange(ref _lastAnsweredSend, sentTimestamp);

        // Acquired handlers first; only then is the term observable (CurrentTerm, IsLeader, WaitForLeadershipAsync), so
        // nothing can act on it before its own "leading" handler ran. Nothing else runs on the executor meanwhile.
        _logger.LogInformation("Leadership of {ElectionPath} acquired{Resumed}: {Term}.", ElectionPath, resumed ? " (resumed)" : string.Empty, term);
        _pendingTerm = term;
        Raise(Acquired, new LeadershipAcquired(term, resumed));
        _pendingTerm = null;
        lock (_gate)
        {
            _currentTerm = term;
            _acquiredSignal.TrySetResult(term);
            _acquiredSignal = NewSignal();
        }

        Track(HeartbeatAsync(term, candidate.Client));
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
                    _nodes.ForgetPath(candidate.Path);
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
                    _nodes.ForgetPath(candidate.Path);
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

        // Not observable any more, then the token, then the handlers: work tied to the token stops before Lost runs.
        _logger.LogInformation("Leadership of {ElectionPath} lost ({Reason}): {Term}.", ElectionPath, reason, term);
        try
        {
            term.End();
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogError(ex, "A callback on the token of {Term} threw.", term);
        }

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
}

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

// The ZooKeeper steps of the election: they run outside the executor and post their results to it.
public sealed partial class LeaderElection
{
    /// <summary>
    /// Creates the election node in the next connected session (Curator's protected create, see <see cref="ProtectedNodes"/>).
    /// A create already sent is never abandoned: when the election moved on meanwhile (dispose, step-down, session
    /// change), its node is deleted as soon as its name is known, so no orphan blocks the other participants.
    /// </summary>
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
                await _nodes.DeleteStaleAsync(client, ct).ConfigureAwait(false);
                CreatedNode node = await _nodes.CreateAsync(client, ProtectedNodes.NewProtectedId(), () => IsCurrent(generation), ct).ConfigureAwait(false);
                if (!_executor.Post(() => OnCandidateCreated(generation, client, node, epoch)))
                {
                    await _nodes.DeleteQuietlyAsync(client, node.Path).ConfigureAwait(false);
                }

                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested || !IsCurrent(generation))
            {
                return;
            }
            catch (Exception ex) when (IsSessionEnd(ex, client))
            {
                // The session's Lost event starts the next attempt in the next session.
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
    /// While <paramref name="term"/> lasts, an exists on its node every third of the read timeout, so <see cref="IsLive"/>
    /// knows that the session was heard from recently (the client's own pings are not visible through its API).
    /// A missing node is handed to the state machine; errors are left to the session events.
    /// </summary>
    private async Task HeartbeatAsync(LeaderTerm term, ZooKeeperClient client)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(term.Token, _lifetime.Token);
        CancellationToken ct = linked.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ReadTimeout(client) / 3, ct).ConfigureAwait(false);
                long sent = Stopwatch.GetTimestamp();
                Stat? stat = await client.ExistsAsync(term.NodePath, null, ct).ConfigureAwait(false);
                if (stat is null)
                {
                    _executor.Post(() =>
                    {
                        if (ReferenceEquals(_currentTerm, term))
                        {
                            CheckLeadership();
                        }
                    });
                    return;
                }

                bool lapsed = CurrentTerm is null;
                MarkAnswered(term, sent);
                if (lapsed && ReferenceEquals(CurrentTerm, term))
                {
                    // The lease came back without a state-machine event: wake WaitForLeadershipAsync callers.
                    lock (_gate)
                    {
                        _acquiredSignal.TrySetResult(term);
                        _acquiredSignal = NewSignal();
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ConnectionLossException || IsSessionEnd(ex, client))
            {
                // The session events decide; keep going while the term lasts (a re-attached session answers again).
                if (IsSessionEnd(ex, client))
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Leadership heartbeat on {Path} failed.", term.NodePath);
            }
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

    private static bool IsSessionEnd(Exception ex, ZooKeeperClient client) => ProtectedNodes.IsSessionEnd(ex, client);

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
}

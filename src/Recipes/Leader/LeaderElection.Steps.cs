using System.Text;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

// The ZooKeeper steps of the election: they run outside the executor and post their results to it.
public sealed partial class LeaderElection
{
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

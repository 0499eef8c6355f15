using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>
/// The candidate-node machinery shared by the election and the lock: Curator's protected EPHEMERAL_SEQUENTIAL create
/// (<c>_c_{uuid}-{lockName}NNNNNNNNNN</c>) that never leaves an orphan behind, parents created on demand, and the clean-up
/// of nodes left by a lost session.
/// </summary>
/// <remarks>
/// <para><b>Why no orphan.</b> A create that reached the server makes a node owned by a session that may live on for a
/// long time (the application's). If the caller gave up on it without learning its name, every later waiter would queue
/// behind a node nobody deletes. So the create request itself is never abandoned: the request is not cancelled, and
/// when the caller stops waiting for it (cancellation), a clean-up task takes over its reply (bounded by the connection:
/// a reply, a ConnectionLoss or the session's end) and deletes the node as soon as its name is known; a node the caller
/// no longer wants by the time the reply comes is deleted at once. When the reply is lost (ConnectionLoss) the node is
/// searched for by its protected id in the same session, before creating again or, when the caller gave up, to delete
/// it. Owners await the clean-ups (bounded) when disposed: <see cref="WhenCleanedUpAsync"/>.</para>
/// <para>A session presumed lost by the local timer may still be alive on the server with our node in it: its protected
/// id (and known node paths) are remembered and deleted from the next session (<see cref="DeleteStaleAsync"/>).</para>
/// </remarks>
internal sealed class ProtectedNodes(string basePath, SequentialNodeNames names, byte[] data, IReadOnlyList<Acl> acl, bool parentsAsContainers, TimeSpan closeTimeout, ILogger logger)
{
    // Bounded by the number of session losses between two successful creates (one entry each), drained by the next create.
    private readonly ConcurrentQueue<string> _staleIds = new();
    private readonly ConcurrentQueue<string> _stalePaths = new();
    private readonly List<Task> _cleanups = [];
    private int _recoveredCreates;

    /// <summary>Creates whose reply was lost and whose node was found again by its protected id.</summary>
    public int RecoveredCreates => Volatile.Read(ref _recoveredCreates);

    /// <summary>The naming in use.</summary>
    public SequentialNodeNames Names => names;

    /// <summary>A new protected id (Curator uses a random UUID).</summary>
    public static string NewProtectedId() => Guid.NewGuid().ToString("D");

    /// <summary>Remembers a node (by path) of a session that may still be alive on the server, to delete it from the next session.</summary>
    public void ForgetPath(string path) => _stalePaths.Enqueue(path);

    /// <summary>Remembers a create (by protected id) of a session that may still be alive, to delete its node from the next session.</summary>
    public void ForgetCreate(string protectedId) => _staleIds.Enqueue(protectedId);

    /// <summary>
    /// Creates the protected node in <paramref name="client"/>'s session. Once sent, the create is not abandoned: if
    /// <paramref name="cancellationToken"/> is cancelled or <paramref name="wanted"/> turns false meanwhile, the node is
    /// deleted (found by its protected id when the reply was lost) and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public async Task<CreatedNode> CreateAsync(ZooKeeperClient client, string protectedId, Func<bool> wanted, CancellationToken cancellationToken)
    {
        string prefixPath = ZooKeeperPath.Combine(basePath, names.NamePrefix(protectedId));
        bool mayExist = false;
        while (true)
        {
            try
            {
                if (cancellationToken.IsCancellationRequested || !wanted())
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                if (mayExist && await FindAsync(client, protectedId, cancellationToken).ConfigureAwait(false) is { } found)
                {
                    Interlocked.Increment(ref _recoveredCreates);
                    logger.LogDebug("Found node {Path} created before a connection loss.", found.Path);
                    mayExist = false;
                    return await KeepOrDeleteAsync(client, found, wanted, cancellationToken).ConfigureAwait(false);
                }

                mayExist = true;

                // Deliberately not cancellable: its reply tells the node's name, so it can be deleted if no longer wanted.
                Task<CreatedNode> create = client.CreateAsync(prefixPath, data, CreateMode.EphemeralSequential, acl, 0, CancellationToken.None);
                CreatedNode created;
                try
                {
                    created = await create.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The caller stops waiting (it may be disposing, or the request may be queued behind a disconnection);
                    // the reply is still taken care of.
                    Track(FinishAbandonedCreateAsync(client, create, protectedId));
                    mayExist = false;
                    throw;
                }

                mayExist = false;
                return await KeepOrDeleteAsync(client, created, wanted, cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                mayExist = false;
                await EnsureParentsAsync(client, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionLossException)
            {
                try
                {
                    await WaitForConnectedAsync(client, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await RemoveAsync(client, protectedId).ConfigureAwait(false);
                    throw;
                }
                catch (Exception ex) when (IsSessionEnd(ex, client))
                {
                    // The outcome of the create is unknown and the session may live on on the server: delete by GUID later.
                    ForgetCreate(protectedId);
                    throw;
                }
            }
            catch (OperationCanceledException) when (mayExist)
            {
                // Cancelled while searching: the create may have been applied.
                await RemoveAsync(client, protectedId).ConfigureAwait(false);
                throw;
            }
            catch (Exception ex) when (IsSessionEnd(ex, client) && mayExist)
            {
                // Presumed lost locally, the session may live on on the server with the node in it.
                ForgetCreate(protectedId);
                throw;
            }
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) for the clean-ups of abandoned creates still running.</summary>
    public async Task WhenCleanedUpAsync(TimeSpan timeout)
    {
        Task[] pending;
        lock (_cleanups)
        {
            pending = [.. _cleanups];
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("{Count} abandoned create(s) under {Path} still awaiting their reply; their nodes are deleted when it comes, or go with the session.", pending.Count(t => !t.IsCompleted), basePath);
        }
    }

    /// <summary>Deletes the nodes of lost sessions remembered by <see cref="ForgetPath"/> and <see cref="ForgetCreate"/>.</summary>
    public async Task DeleteStaleAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        while (_stalePaths.TryDequeue(out string? path))
        {
            await DeleteIfNotOursAsync(client, path, cancellationToken).ConfigureAwait(false);
        }

        if (_staleIds.IsEmpty)
        {
            return;
        }

        IReadOnlyList<string> children = await ChildrenAsync(client, cancellationToken).ConfigureAwait(false);
        while (_staleIds.TryDequeue(out string? id))
        {
            string prefix = SequentialNodeNames.ProtectedIdPrefix(id);
            foreach (string child in children.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)))
            {
                await DeleteIfNotOursAsync(client, ZooKeeperPath.Combine(basePath, child), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deletes <paramref name="path"/> within the close timeout (its own, so it runs during a dispose too); failures are logged.</summary>
    public async Task DeleteQuietlyAsync(ZooKeeperClient client, string path)
    {
        using var timeout = new CancellationTokenSource(closeTimeout);
        try
        {
            await DeleteAsync(client, path, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Could not delete abandoned node {Path}; it goes with its session.", path);
        }
    }

    /// <summary>Deletes our node, retrying across connection losses; done when it is gone or its session is.</summary>
    public static async Task DeleteAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await client.DeleteAsync(path, -1, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (Exception ex) when (IsSessionEnd(ex, client))
            {
                return; // The node goes with its session.
            }
            catch (ConnectionLossException)
            {
                await WaitForConnectedAsync(client, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The base path's children (none when it does not exist).</summary>
    public async Task<IReadOnlyList<string>> ChildrenAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetChildrenAsync(basePath, null, cancellationToken).ConfigureAwait(false)).Children;
        }
        catch (NoNodeException)
        {
            return [];
        }
    }

    /// <summary>True when <paramref name="ex"/> (or the client's state) means the session is over for us (presumed lost counts).</summary>
    public static bool IsSessionEnd(Exception ex, ZooKeeperClient client) =>
        ex is SessionExpiredException or AuthFailedException or ObjectDisposedException || client.State.IsSessionLost();

    /// <summary>
    /// Waits for the connection, but not past a presumed expiry (the client's own wait would: that state is not
    /// terminal for the client, yet the application has already moved to a new session).
    /// </summary>
    /// <exception cref="SessionExpiredException">The session was presumed or confirmed lost.</exception>
    public static async Task WaitForConnectedAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        ZooKeeperState state = await client.WaitForStateAsync(s => s == ZooKeeperState.Connected || s.IsSessionLost(), cancellationToken).ConfigureAwait(false);
        if (state != ZooKeeperState.Connected)
        {
            throw new SessionExpiredException(null, $"The session 0x{client.SessionId:x} is lost ({state}).");
        }
    }

    /// <summary>Takes over the reply of a create the caller stopped waiting for, and deletes its node.</summary>
    private async Task FinishAbandonedCreateAsync(ZooKeeperClient client, Task<CreatedNode> create, string protectedId)
    {
        try
        {
            CreatedNode node = await create.ConfigureAwait(false);
            await DeleteQuietlyAsync(client, node.Path).ConfigureAwait(false);
            logger.LogDebug("Deleted node {Path}, whose create was given up before its reply came.", node.Path);
        }
        catch (ConnectionLossException)
        {
            await RemoveAsync(client, protectedId).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsSessionEnd(ex, client))
        {
            ForgetCreate(protectedId);
        }
        catch (Exception ex)
        {
            // NoNode (the parent went) or another refusal: nothing was created.
            logger.LogDebug(ex, "An abandoned create under {Path} failed; nothing to clean up.", basePath);
        }
    }

    private void Track(Task task)
    {
        lock (_cleanups)
        {
            _cleanups.RemoveAll(t => t.IsCompleted);
            _cleanups.Add(task);
        }
    }

    private async Task<CreatedNode> KeepOrDeleteAsync(ZooKeeperClient client, CreatedNode node, Func<bool> wanted, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested && wanted())
        {
            return node;
        }

        await DeleteQuietlyAsync(client, node.Path).ConfigureAwait(false);
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>Finds our node by its protected id and deletes it (within the close timeout, waiting for the connection if needed).</summary>
    private async Task RemoveAsync(ZooKeeperClient client, string protectedId)
    {
        using var timeout = new CancellationTokenSource(closeTimeout);
        while (true)
        {
            try
            {
                if (await FindAsync(client, protectedId, timeout.Token).ConfigureAwait(false) is { } found)
                {
                    await DeleteAsync(client, found.Path, timeout.Token).ConfigureAwait(false);
                    logger.LogDebug("Deleted node {Path} whose create was given up.", found.Path);
                }

                return;
            }
            catch (ConnectionLossException)
            {
                try
                {
                    await WaitForConnectedAsync(client, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    ForgetCreate(protectedId);
                    return;
                }
            }
            catch (Exception ex) when (IsSessionEnd(ex, client))
            {
                ForgetCreate(protectedId);
                return;
            }
            catch (Exception ex)
            {
                ForgetCreate(protectedId);
                logger.LogDebug(ex, "Could not look for the node of protected id {Id}; it is deleted from the next session, or goes with its own.", protectedId);
                return;
            }
        }
    }

    private async Task<CreatedNode?> FindAsync(ZooKeeperClient client, string protectedId, CancellationToken cancellationToken)
    {
        string prefix = SequentialNodeNames.ProtectedIdPrefix(protectedId);
        foreach (string child in await ChildrenAsync(client, cancellationToken).ConfigureAwait(false))
        {
            if (!child.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string path = ZooKeeperPath.Combine(basePath, child);
            Stat? stat = await client.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false);
            if (stat is { } s && s.EphemeralOwner == client.SessionId)
            {
                return new CreatedNode(path, s);
            }
        }

        return null;
    }

    private async Task DeleteIfNotOursAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            Stat? stat = await client.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false);
            if (stat is { } s && s.EphemeralOwner != client.SessionId)
            {
                await client.DeleteAsync(path, s.Version, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Deleted node {Path} of the lost session 0x{Owner:x}.", path, s.EphemeralOwner);
            }
        }
        catch (Exception ex) when (ex is NoNodeException or BadVersionException)
        {
        }
    }

    private async Task EnsureParentsAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        string path = string.Empty;
        foreach (string segment in basePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path += "/" + segment;
            if (await client.ExistsAsync(path, null, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await client.CreateAsync(path, default, parentsAsContainers ? CreateMode.Container : CreateMode.Persistent, acl, 0, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
            }
            catch (UnimplementedException)
            {
                // A server without container support (before 3.5.3): fall back to a persistent node, as Curator does.
                try
                {
                    await client.CreateAsync(path, default, CreateMode.Persistent, acl, 0, cancellationToken).ConfigureAwait(false);
                }
                catch (NodeExistsException)
                {
                }
            }
        }
    }
}

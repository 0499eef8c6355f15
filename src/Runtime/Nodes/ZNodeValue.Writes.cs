using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>Writes: set, compare-and-set update, delete, with read-your-writes.</content>
internal sealed partial class ZNodeValue<T>
{
    private const int MaxUpdateAttempts = 100;

    public async Task<Stat> SetAsync(T value, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes = _payload.Serialize(value);
        ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
        Stat stat;
        try
        {
            stat = await client.SetDataAsync(Path, bytes, expectedVersion ?? -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException) when (expectedVersion is null or -1)
        {
            stat = await CreateOrSetAsync(client, bytes, cancellationToken).ConfigureAwait(false);
        }

        ApplyOwnWrite(client, bytes, stat);
        return stat;
    }

    public async Task<T> UpdateAsync(Func<T, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (int attempt = 1; attempt <= MaxUpdateAttempts; attempt++)
        {
            ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
            ObservedNode current = await client.GetDataObservedAsync(Path, null, cancellationToken).ConfigureAwait(false);
            T input = _payload.CreateDefault();
            if (current.Exists)
            {
                ParseResult<T> parsed = _payload.Parse(current.Data ?? [], current.Stat!.Value);
                input = parsed.Error is null ? parsed.Value : throw parsed.Error;
            }

            T next = update(input);
            byte[] bytes = _payload.Serialize(next);
            try
            {
                Stat stat = current.Exists
                    ? await client.SetDataAsync(Path, bytes, current.Stat!.Value.Version, cancellationToken).ConfigureAwait(false)
                    : await CreateAsync(client, bytes, cancellationToken).ConfigureAwait(false);
                ApplyOwnWrite(client, bytes, stat);
                return next;
            }
            catch (Exception ex) when (ex is BadVersionException or NodeExistsException or NoNodeException)
            {
                // Someone else wrote in between: read again and re-apply the update.
            }
        }

        throw new InvalidOperationException($"UpdateAsync on {Path} gave up after {MaxUpdateAttempts} conflicting attempts.");
    }

    public async Task DeleteAsync(int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperClient client = await _runtime.Session.GetConnectedClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DeleteAsync(Path, expectedVersion ?? -1, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
        }
    }

    private async Task<Stat> CreateOrSetAsync(ZooKeeperClient client, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            return await CreateAsync(client, bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            return await client.SetDataAsync(Path, bytes, -1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the node, creating missing parents (as plain persistent nodes) first, all with the session's default ACL.</summary>
    private async Task<Stat> CreateAsync(ZooKeeperClient client, byte[] bytes, CancellationToken cancellationToken)
    {
        IReadOnlyList<Acl> acl = _runtime.Session.DefaultAcl;
        try
        {
            return (await client.CreateAsync(Path, bytes, acl: acl, cancellationToken: cancellationToken).ConfigureAwait(false)).Stat;
        }
        catch (NoNodeException)
        {
            int slash = 0;
            while ((slash = Path.IndexOf('/', slash + 1)) > 0)
            {
                try
                {
                    await client.CreateAsync(Path[..slash], acl: acl, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (NodeExistsException)
                {
                }
            }

            return (await client.CreateAsync(Path, bytes, acl: acl, cancellationToken: cancellationToken).ConfigureAwait(false)).Stat;
        }
    }

    /// <summary>Read-your-writes: a write's own result is applied at once, by the same zxid rules as any read.</summary>
    private void ApplyOwnWrite(ZooKeeperClient client, byte[] bytes, Stat stat)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_client, client))
            {
                SyncConnectionLocked();
                Handle(_machine.OwnWrite(_machine.Epoch, bytes, stat, _runtime.LossGeneration));
            }
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Configuration;

/// <summary>The provider's reads: the full walk of a subtree and the re-read of one changed node. Loop only.</summary>
public sealed partial class ZooKeeperConfigurationProvider
{
    /// <summary>
    /// Arms the watches (a persistent-recursive one per root, unless in per-node mode) and walks every subtree with
    /// getChildren, whose Stat carries each node's mzxid: only nodes whose mzxid differs from the cached one are re-read.
    /// </summary>
    private async Task FullResyncAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        if (!_perNode && !ReferenceEquals(client, _watchedClient))
        {
            try
            {
                foreach (SubtreeCache cache in _caches)
                {
                    await client.AddWatchAsync(cache.Root, AddWatchMode.PersistentRecursive, _watcher, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (UnimplementedException ex) when (_options.WatchMode == ZooKeeperWatchMode.Auto)
            {
                _logger.LogWarning("ZooKeeper configuration: the server does not support AddWatch (ZooKeeper before 3.6); falling back to one-shot watches on every node of {Roots}.", string.Join(", ", Roots));
                _ = ex;
                _perNode = true;
            }
            catch (UnimplementedException ex)
            {
                throw new ZooKeeperConfigurationException(
                    ZooKeeperConfigurationFailure.Refused,
                    $"ZooKeeper configuration: the server refused AddWatch (persistent-recursive watches need ZooKeeper 3.6+) and WatchMode is PersistentRecursive; use WatchMode Auto or PerNode for older servers.",
                    Roots,
                    ex);
            }

            _watchedClient = _perNode ? null : client;
        }

        int total = 0;
        var walked = new List<Dictionary<string, CachedNode>>();
        using var reads = new SemaphoreSlim(_options.MaxConcurrentReads);
        foreach (SubtreeCache cache in _caches)
        {
            ConcurrentDictionary<string, Stat> stats = await WalkAsync(cache, client, reads, cancellationToken).ConfigureAwait(false);
            total += stats.Count;
            if (total > _options.MaxNodes)
            {
                throw TooManyNodes(total);
            }

            walked.Add(await ReadChangedAsync(cache, client, stats, reads, cancellationToken).ConfigureAwait(false));
        }

        for (int i = 0; i < _caches.Length; i++)
        {
            _caches[i].Replace(walked[i]);
        }
    }

    private async Task<ConcurrentDictionary<string, Stat>> WalkAsync(SubtreeCache cache, ZooKeeperClient client, SemaphoreSlim reads, CancellationToken cancellationToken)
    {
        var stats = new ConcurrentDictionary<string, Stat>(StringComparer.Ordinal);
        Action<WatchedEvent>? watcher = _perNode ? _watcher : null;

        async Task VisitAsync(string path)
        {
            NodeChildren children;
            await reads.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                children = await client.GetChildrenAsync(path, watcher, cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                if (path == cache.Root && _perNode && await client.ExistsAsync(path, _watcher, cancellationToken).ConfigureAwait(false) is not null)
                {
                    OnWatchEvent(new WatchedEvent(WatchEventType.NodeCreated, path)); // created between the two reads
                }

                return; // Deleted meanwhile: its own event follows.
            }
            finally
            {
                reads.Release();
            }

            stats[path] = children.Stat;
            if (stats.Count > _options.MaxNodes)
            {
                throw TooManyNodes(stats.Count);
            }

            await Task.WhenAll(children.Children.Select(c => VisitAsync(ZooKeeperPath.Combine(path, c)))).ConfigureAwait(false);
        }

        await VisitAsync(cache.Root).ConfigureAwait(false);
        return stats;
    }

    private async Task<Dictionary<string, CachedNode>> ReadChangedAsync(SubtreeCache cache, ZooKeeperClient client, ConcurrentDictionary<string, Stat> stats, SemaphoreSlim reads, CancellationToken cancellationToken)
    {
        var nodes = new ConcurrentDictionary<string, CachedNode>(StringComparer.Ordinal);
        await Task.WhenAll(stats.Select(async entry =>
        {
            CachedNode? cached = cache.Nodes.GetValueOrDefault(entry.Key);
            await reads.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (cached is not null && cached.Mzxid == entry.Value.Mzxid)
                {
                    // Unchanged: no payload read. Per-node mode still needs its data watch armed in this session.
                    if (_perNode && await client.ExistsAsync(entry.Key, _watcher, cancellationToken).ConfigureAwait(false) is null)
                    {
                        return;
                    }

                    nodes[entry.Key] = cached;
                    return;
                }

                NodeData data = await client.GetDataAsync(entry.Key, _perNode ? _watcher : null, cancellationToken).ConfigureAwait(false);
                nodes[entry.Key] = cache.Decode(data.Data, data.Stat.Mzxid, cached);
            }
            catch (NoNodeException)
            {
                // Deleted after the walk saw it; its event follows.
            }
            finally
            {
                reads.Release();
            }
        })).ConfigureAwait(false);
        return new Dictionary<string, CachedNode>(nodes, StringComparer.Ordinal);
    }

    /// <summary>Re-reads one changed node (and, when asked or new, its children: added ones in full, removed ones dropped).</summary>
    private async Task RefreshAsync(SubtreeCache cache, ZooKeeperClient client, string path, bool readChildren, CancellationToken cancellationToken)
    {
        Action<WatchedEvent>? watcher = _perNode ? _watcher : null;
        NodeData data;
        try
        {
            data = await client.GetDataAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            cache.RemoveSubtree(path);
            if (_perNode && path == cache.Root && await client.ExistsAsync(path, _watcher, cancellationToken).ConfigureAwait(false) is not null)
            {
                OnWatchEvent(new WatchedEvent(WatchEventType.NodeCreated, path));
            }

            return;
        }

        CachedNode? previous = cache.Nodes.GetValueOrDefault(path);
        cache.Nodes[path] = previous is not null && previous.Mzxid == data.Stat.Mzxid ? previous : cache.Decode(data.Data, data.Stat.Mzxid, previous);
        if (previous is not null && !readChildren)
        {
            return;
        }

        NodeChildren children;
        try
        {
            children = await client.GetChildrenAsync(path, watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            cache.RemoveSubtree(path);
            return;
        }

        HashSet<string> known = cache.ChildrenOf(path);
        foreach (string gone in known.Except(children.Children))
        {
            cache.RemoveSubtree(ZooKeeperPath.Combine(path, gone));
        }

        foreach (string added in children.Children.Where(c => !known.Contains(c)))
        {
            await RefreshAsync(cache, client, ZooKeeperPath.Combine(path, added), readChildren: true, cancellationToken).ConfigureAwait(false);
            if (cache.Nodes.Count > _options.MaxNodes)
            {
                throw TooManyNodes(cache.Nodes.Count);
            }
        }
    }

    private void EnforceMaxNodes()
    {
        int total = _caches.Sum(c => c.Nodes.Count);
        if (total > _options.MaxNodes)
        {
            throw TooManyNodes(total);
        }
    }

    private ZooKeeperConfigurationException TooManyNodes(int count) => new(
        ZooKeeperConfigurationFailure.TooManyNodes,
        $"ZooKeeper configuration: {string.Join(", ", Roots)} hold more than MaxNodes = {_options.MaxNodes} nodes (counted {count}); the last keys are kept. Raise MaxNodes or map a smaller subtree.",
        Roots);
}

using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState;

/// <summary>
/// Member discovery: one child watch per parameter level (the parent of the first parameter, then the next parameter's
/// parent under each value found, …). Each listing is diffed against the last: new leaf children become members,
/// vanished ones leave, and a vanished inner child takes its whole subtree along. Told of the session by the runtime
/// like a bound node: listings start when a session is established, are redone when re-attaching could not restore
/// the watches, and are all redone in a new session after a loss.
/// </summary>
internal sealed partial class ZNodeFamily<T> : IZNodeSessionParticipant
{
    // Guarded by _gate: the level watches by prefix key ("" for the root level), the session they list in, and the
    // initial-sync bookkeeping (watches not yet listed in this session).
    private readonly Dictionary<string, LevelWatch> _levels = new(StringComparer.Ordinal);
    private ZooKeeperClient? _client;
    private long _epoch;
    private int _unlisted;
    private TaskCompletionSource _discovered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loaded = Task.CompletedTask;

    /// <summary>Completes once every level was listed in this session and every member found then was read.</summary>
    public Task Loaded
    {
        get
        {
            lock (_gate)
            {
                return IsDiscovered ? _loaded : Task.CompletedTask;
            }
        }
    }

    private void StartDiscovery()
    {
        lock (_gate)
        {
            _levels[string.Empty] = new LevelWatch([], Descriptor.ParentPath([]));
            ResetLoadLocked();
        }

        _runtime.AddParticipant(this);
    }

    public void OnEstablished(ZooKeeperClient client, long epoch, bool connected, bool lineageReset)
    {
        lock (_gate)
        {
            if (_epoch == epoch)
            {
                return;
            }

            _client = client;
            _epoch = epoch;
            if (_discovered.Task.IsCompleted)
            {
                ResetLoadLocked();
            }

            _unlisted = _levels.Count;
            foreach (LevelWatch level in _levels.Values)
            {
                level.Listed = false;
                level.Parked = null;
                RequestListingLocked(level);
            }
        }
    }

    public void OnDisconnected()
    {
        // Listings are kept (served as they were); the child watches are restored by SetWatches on re-attach.
    }

    public void OnReconnected(ZooKeeperClient client, long epoch, bool watchesComplete)
    {
        List<IBulkRead>? outer = ZNodeReadBatch.Begin();
        try
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_client, client) || _epoch != epoch)
                {
                    return;
                }

                // Listings answered before the runtime took in the re-attach: their members come and go only now, after
                // the app heard Reconnected (the new members' first reads are issued in bulk below).
                foreach (LevelWatch level in _levels.Values.ToArray())
                {
                    if (level.Parked is { } parked && !level.Removed)
                    {
                        level.Parked = null;
                        ApplyListingLocked(level, parked);
                    }
                }

                if (!watchesComplete)
                {
                    // Re-registering failed: list again, which re-arms the child watches.
                    foreach (LevelWatch level in _levels.Values)
                    {
                        RequestListingLocked(level);
                    }
                }
            }
        }
        finally
        {
            _runtime.IssueBulkReads(ZNodeReadBatch.End(outer));
        }
    }

    public void OnSessionLost(SessionLossPolicy policy, Exception? reason)
    {
        lock (_gate)
        {
            // The membership is kept until the new session's listings correct it.
            _client = null;
            _epoch = 0;
            foreach (LevelWatch level in _levels.Values)
            {
                level.Parked = null;
            }

            if (_discovered.Task.IsCompleted)
            {
                ResetLoadLocked();
            }
        }
    }

    private void ResetLoadLocked()
    {
        _discovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task discovered = _discovered.Task;

        // Members known once every level is listed are all bound by then; wait for their reads too.
        _loaded = discovered.ContinueWith(_ => Task.WhenAll(_members.Values.Select(m => m.Value.Loaded)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Lists a level now, or once the listing in flight is done (a watch fired meanwhile).</summary>
    private void RequestListingLocked(LevelWatch level)
    {
        if (_client is not { } client || level.Removed)
        {
            return;
        }

        long epoch = _epoch;
        if (level.RunningEpoch == epoch)
        {
            level.Again = true;
            return;
        }

        // A loop of an older session may still be winding down; it stops at its next step (epoch check).
        level.RunningEpoch = epoch;
        level.Again = false;
        Action<WatchedEvent> watcher = level.WatcherFor(epoch, e => OnLevelWatch(level, epoch, e));
        _ = ListLoopAsync(level, client, epoch, watcher);
    }

    private void OnLevelWatch(LevelWatch level, long epoch, WatchedEvent e)
    {
        lock (_gate)
        {
            if (_epoch == epoch && e.Type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeCreated or WatchEventType.NodeDeleted)
            {
                RequestListingLocked(level);
            }
        }
    }

    private async Task ListLoopAsync(LevelWatch level, ZooKeeperClient client, long epoch, Action<WatchedEvent> watcher)
    {
        int failures = 0;
        while (true)
        {
            IReadOnlyList<string>? children = null;
            try
            {
                children = await ListTracedAsync(client, level.Path, watcher).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex) when (ex is SessionExpiredException or AuthFailedException or ObjectDisposedException or OperationCanceledException)
            {
                // The session is gone or the runtime is stopping; a new session lists again.
                lock (_gate)
                {
                    level.StoppedRunning(epoch);
                }

                return;
            }
            catch (Exception ex)
            {
                if (ex is not ConnectionLossException)
                {
                    _runtime.Logger.LogWarning(ex, "Listing the members of {Template} under {Path} failed; retrying.", Descriptor.PathTemplate, level.Path);
                }

                failures++;
            }

            bool stop = false;
            List<IBulkRead>? outer = ZNodeReadBatch.Begin();
            try
            {
                lock (_gate)
                {
                    if (_epoch != epoch || level.Removed || level.RunningEpoch != epoch)
                    {
                        level.StoppedRunning(epoch);
                        stop = true;
                    }
                    else if (children is not null)
                    {
                        if (_runtime.TryGetConnection(epoch, out bool connected, out _, out _) && !connected)
                        {
                            // Answered after the app heard Disconnected, perhaps on the next connection: applied when the
                            // family is told of the re-attach (always, after the flip), so no member comes or goes before
                            // the app hears Reconnected. Both run under this lock, so none is missed.
                            level.Parked = children;
                        }
                        else
                        {
                            // The members found are bound in bulk: their first reads are issued from one loop below.
                            level.Parked = null;
                            ApplyListingLocked(level, children);
                        }
                        if (!level.Again)
                        {
                            level.StoppedRunning(epoch);
                            stop = true;
                        }

                        level.Again = false;
                    }
                }
            }
            finally
            {
                _runtime.IssueBulkReads(ZNodeReadBatch.End(outer));
            }

            if (stop)
            {
                return;
            }

            if (failures > 0)
            {
                // Backoff 10 ms doubling to 1 s: a connection loss is retried once the client reconnects (its queue waits).
                TimeSpan cap = TimeSpan.FromMilliseconds(Math.Min(1000, 10 << Math.Min(failures, 7)));
                try
                {
                    await Task.Delay(cap / 2 + cap / 2 * Random.Shared.NextDouble(), _runtime.Lifetime).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    lock (_gate)
                    {
                        level.StoppedRunning(epoch);
                    }

                    return;
                }
            }
        }
    }

    /// <summary>getChildren with a child watch; for a missing parent an exists watch (fires when it is created) and no children.</summary>
    private async Task<IReadOnlyList<string>> ListAsync(ZooKeeperClient client, string path, Action<WatchedEvent> watcher)
    {
        await _runtime.EnterReadAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                try
                {
                    return (await client.GetChildrenAsync(path, watcher, _runtime.Lifetime).ConfigureAwait(false)).Children;
                }
                catch (NoNodeException)
                {
                    if (await client.ExistsAsync(path, watcher, _runtime.Lifetime).ConfigureAwait(false) is null)
                    {
                        return [];
                    }

                    // Created in between: list it (the exists watch now watches its data, harmlessly).
                }
            }
        }
        finally
        {
            _runtime.ExitRead();
        }
    }

    // Reads of a long listing are issued every this many members bound (see ZNodeReadBatch.TakeIfAtLeast).
    private const int BulkReadChunk = 512;

    private void ApplyListingLocked(LevelWatch level, IReadOnlyList<string> children)
    {
        bool leaf = level.Prefix.Length == Descriptor.Parameters.Count - 1;
        var now = new HashSet<string>(children, StringComparer.Ordinal);
        foreach (string gone in level.Children.Where(c => !now.Contains(c)).ToArray())
        {
            level.Children.Remove(gone);
            string[] values = [.. level.Prefix, gone];
            if (leaf)
            {
                MemberGoneLocked(Descriptor.ToOptionsName(values));
            }
            else
            {
                RemoveSubtreeLocked(values);
            }
        }

        foreach (string child in children)
        {
            if (!level.Children.Add(child) && leaf)
            {
                continue;
            }

            string[] values = [.. level.Prefix, child];
            if (leaf)
            {
                MemberFoundLocked(values);
                if (ZNodeReadBatch.TakeIfAtLeast(BulkReadChunk) is { } chunk)
                {
                    _runtime.IssueBulkReads(chunk);
                }
            }
            else if (!_levels.ContainsKey(Descriptor.ToOptionsName(values)))
            {
                var sub = new LevelWatch(values, Descriptor.ParentPath(values));
                _levels[Descriptor.ToOptionsName(values)] = sub;
                if (!_discovered.Task.IsCompleted)
                {
                    _unlisted++;
                }

                RequestListingLocked(sub);
            }
        }

        if (!level.Listed)
        {
            level.Listed = true;
            if (--_unlisted <= 0)
            {
                _discovered.TrySetResult();
            }
        }
    }

    /// <summary>An inner value vanished: drop its level watches and its members.</summary>
    private void RemoveSubtreeLocked(string[] prefix)
    {
        string key = Descriptor.ToOptionsName(prefix);
        foreach (string levelKey in _levels.Keys.Where(k => k == key || k.StartsWith(key + "/", StringComparison.Ordinal)).ToArray())
        {
            LevelWatch removed = _levels[levelKey];
            _levels.Remove(levelKey);
            removed.Removed = true;
            if (!removed.Listed && !_discovered.Task.IsCompleted && --_unlisted <= 0)
            {
                _discovered.TrySetResult();
            }
        }

        foreach (string member in _members.Keys.Where(m => m.StartsWith(key + "/", StringComparison.Ordinal)).ToArray())
        {
            MemberGoneLocked(member);
        }
    }
}

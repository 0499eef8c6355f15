using Microsoft.Extensions.Logging;
using ZkTypedState.Client;

namespace ZkTypedState.Configuration;

public sealed partial class ZooKeeperConfigurationProvider
{
    private static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Touched only by the loop.
    private ZooKeeperClient? _watchedClient;
    private bool _perNode;
    private long _handledLostEpoch;
    private IReadOnlyList<ZooKeeperConfigurationConflict> _loggedConflicts = [];
    private IReadOnlyList<ZooKeeperConfigurationPayloadError> _loggedPayloadErrors = [];

    /// <summary>
    /// The one background loop: waits for work, lets a burst settle for <see cref="ZooKeeperConfigurationOptions.ReloadDelay"/>,
    /// takes everything queued at once, re-reads it with the current client and publishes once. Failures are retried
    /// with jittered exponential backoff (100 ms to 5 s); it stops when the provider is disposed.
    /// </summary>
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        _perNode = _options.WatchMode == ZooKeeperWatchMode.PerNode;
        TimeSpan retryDelay = MinRetryDelay;
        while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            _wake.Reader.TryRead(out _);
            if (_options.ReloadDelay > TimeSpan.Zero && _firstLoad.Task.IsCompleted)
            {
                await Task.Delay(_options.ReloadDelay, cancellationToken).ConfigureAwait(false);
            }

            (bool full, bool cycle, Dictionary<string, bool> dirty) = TakeWork();
            if (!full && !cycle && dirty.Count == 0)
            {
                continue;
            }

            (ZooKeeperClient Client, long Epoch)? connected = await WaitForClientAsync(cancellationToken).ConfigureAwait(false);
            if (connected is not { } current)
            {
                Requeue(full, cycle, dirty);
                continue;
            }

            try
            {
                if (full)
                {
                    await FullResyncAsync(current.Client, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    foreach ((string path, bool readChildren) in dirty)
                    {
                        foreach (SubtreeCache cache in _caches.Where(c => c.Contains(path)))
                        {
                            await RefreshAsync(cache, current.Client, path, readChildren, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    EnforceMaxNodes();
                }

                bool published = Publish(current.Client, current.Epoch);
                retryDelay = MinRetryDelay;
                if (full && published)
                {
                    CompleteFirstLoad(); // never on reads of a lost session: its loss queued a new full resync
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Requeue(full, cycle, dirty);
                OnLoadFailed(ex);
                TimeSpan delay = TimeSpan.FromMilliseconds(retryDelay.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() / 2)));
                retryDelay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, retryDelay.TotalMilliseconds * 2));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                Wake();
            }
        }
    }

    private (bool Full, bool Cycle, Dictionary<string, bool> Dirty) TakeWork()
    {
        bool full, cycle, forget;
        Dictionary<string, bool> dirty;
        long lostEpoch;
        lock (_gate)
        {
            full = _fullResync;
            cycle = _cycle;
            forget = _forgetZxids;
            dirty = _dirty;
            lostEpoch = _lostEpoch;
            _fullResync = _cycle = _forgetZxids = false;
            _dirty = new Dictionary<string, bool>(StringComparer.Ordinal);
        }

        if (lostEpoch > _handledLostEpoch)
        {
            // A new session has no watches of the old one: re-arm everything, and under InvalidateAndRebuild forget what was read.
            _handledLostEpoch = lostEpoch;
            _watchedClient = null;
            full = true;
            if (_options.SessionLossPolicy == SessionLossPolicy.InvalidateAndRebuild)
            {
                foreach (SubtreeCache cache in _caches)
                {
                    cache.Clear();
                }
            }
        }

        if (forget)
        {
            foreach (SubtreeCache cache in _caches)
            {
                cache.ForgetZxids();
            }
        }

        return (full, cycle, dirty);
    }

    private void Requeue(bool full, bool cycle, Dictionary<string, bool> dirty)
    {
        lock (_gate)
        {
            _fullResync |= full || _dirty.Count + dirty.Count > _options.MaxNodes;
            _cycle |= cycle;
            if (!_fullResync)
            {
                foreach ((string path, bool readChildren) in dirty)
                {
                    _dirty[path] = readChildren || _dirty.GetValueOrDefault(path);
                }
            }
        }
    }

    /// <summary>The current connected client and its epoch, or null when new work arrived first (the loop takes it and comes back).</summary>
    private async Task<(ZooKeeperClient, long)?> WaitForClientAsync(CancellationToken cancellationToken)
    {
        ZooKeeperSession session = _session!;
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<ZooKeeperClient> connected = session.GetConnectedClientAsync(attempt.Token);
        if (!connected.IsCompleted)
        {
            Task woken = _wake.Reader.WaitToReadAsync(attempt.Token).AsTask();
            await Task.WhenAny(connected, woken).ConfigureAwait(false);
            attempt.Cancel();
            if (!connected.IsCompletedSuccessfully)
            {
                _ = connected.Exception;
                _ = woken.Exception;
                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }
        }

        ZooKeeperClient client = await connected.ConfigureAwait(false);
        return (client, session.Epoch);
    }

    /// <summary>Swaps in the keys of what was read, firing the reload token only if they changed; skipped (false) for reads of a session known lost.</summary>
    private bool Publish(ZooKeeperClient client, long epoch)
    {
        MappedKeys mapped = ConfigurationKeyBuilder.Build(_caches);
        LogNewProblems(mapped);
        lock (_publishGate)
        {
            if (epoch <= Volatile.Read(ref _lostEpoch))
            {
                return false; // Read in a session whose loss is known: never served as current.
            }

            // Reload first, status second: whoever sees the new status sees configuration (and IOptionsMonitor) updated.
            if (!SameKeys(Data, mapped.Data))
            {
                Data = mapped.Data;
                OnReload();
            }

            ZooKeeperConfigurationState state = client.State == ZooKeeperState.Connected ? ZooKeeperConfigurationState.Current : ZooKeeperConfigurationState.Disconnected;
            SetStatus(new ZooKeeperConfigurationStatus(state, Data.Count, DateTimeOffset.UtcNow, mapped.Conflicts, mapped.PayloadErrors, null));
            return true;
        }
    }

    private void CompleteFirstLoad()
    {
        string[] missing = [.. _caches.Where(c => !c.RootExists).Select(c => c.Root)];
        if (missing.Length > 0 && !_options.Optional)
        {
            _firstLoad.TrySetException(new ZooKeeperConfigurationException(
                ZooKeeperConfigurationFailure.RootMissing,
                $"ZooKeeper configuration: the subtree root{(missing.Length > 1 ? "s" : string.Empty)} {string.Join(", ", missing)} do{(missing.Length > 1 ? string.Empty : "es")} not exist on {_options.ConnectionString} (set Optional = true to start without {(missing.Length > 1 ? "them" : "it")}).",
                missing));
            return;
        }

        _firstLoad.TrySetResult();
    }

    private void OnLoadFailed(Exception ex)
    {
        bool connection = ex is ConnectionLossException or SessionExpiredException or OperationTimeoutException or ObjectDisposedException or SessionMovedException;
        if (!connection)
        {
            _logger.LogError(ex, "ZooKeeper configuration: re-reading {Roots} failed; the last keys are kept and the read is retried.", string.Join(", ", Roots));
            lock (_publishGate)
            {
                SetStatus(Status with { State = ZooKeeperConfigurationState.Faulted, Error = ex });
            }

            // Ends the first Load's wait at once: a required provider fails with it, an optional one logs it and starts empty.
            _firstLoad.TrySetException(ex);
        }
        else
        {
            _logger.LogDebug(ex, "ZooKeeper configuration: a re-read was interrupted by the connection; retrying.");
        }
    }

    /// <summary>Logs each conflict and payload error once, when it appears (not again on every reload while it lasts).</summary>
    private void LogNewProblems(MappedKeys mapped)
    {
        foreach (ZooKeeperConfigurationPayloadError error in mapped.PayloadErrors.Except(_loggedPayloadErrors))
        {
            _logger.LogWarning("ZooKeeper configuration: the payload of {Path} cannot be mapped; its last good keys are kept. {Message}", error.Path, error.Message);
        }

        _loggedPayloadErrors = mapped.PayloadErrors;
        IReadOnlyList<ZooKeeperConfigurationConflict> conflicts = mapped.Conflicts;
        foreach (ZooKeeperConfigurationConflict conflict in conflicts.Except(_loggedConflicts))
        {
            _logger.LogWarning(
                "ZooKeeper configuration: key conflict on '{Key}' (configuration keys are case-insensitive): serving {Served}, ignoring {Ignored}.",
                conflict.Key,
                conflict.Served,
                conflict.Ignored);
        }

        _loggedConflicts = conflicts;
    }

    private static bool SameKeys(IDictionary<string, string?> current, Dictionary<string, string?> next)
    {
        if (current.Count != next.Count)
        {
            return false;
        }

        var exactKeys = new HashSet<string>(current.Keys, StringComparer.Ordinal); // a key whose case changed is a change too
        foreach ((string key, string? value) in next)
        {
            if (!exactKeys.Contains(key) || !current.TryGetValue(key, out string? existing) || !string.Equals(existing, value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}

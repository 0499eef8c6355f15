namespace ZkTypedState.Client.Watches;

/// <summary>
/// The client's local watch tables (client paths, chroot stripped). The server keeps one registration per
/// connection and path and sends one event per change; this fans it out to every local watcher, removes
/// one-shot watchers as they fire, and supplies the lists re-registered with SetWatches after a reconnect.
/// </summary>
internal sealed class WatchManager
{
    private readonly object _gate = new();
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>>[] _tables =
        [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    public void Add(WatchKind kind, string path, Action<WatchedEvent> watcher)
    {
        lock (_gate)
        {
            Dictionary<string, HashSet<Action<WatchedEvent>>> table = _tables[(int)kind];
            if (!table.TryGetValue(path, out HashSet<Action<WatchedEvent>>? set))
            {
                set = [];
                table[path] = set;
            }

            set.Add(watcher);
        }
    }

    /// <summary>Number of paths with at least one watch, over all tables.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                int count = 0;
                foreach (Dictionary<string, HashSet<Action<WatchedEvent>>> table in _tables)
                {
                    count += table.Count;
                }

                return count;
            }
        }
    }

    /// <summary>
    /// Returns the watchers an event goes to (each once), removing the one-shot ones, by the same rules as the
    /// Java client: created/data changed go to data and exist watchers; children changed to child watchers;
    /// deleted to all three; persistent watchers of the path always; recursive watchers of the path or an
    /// ancestor for everything but NodeChildrenChanged (the server never sends that to them).
    /// </summary>
    public List<Action<WatchedEvent>> Materialize(WatchEventType type, string path)
    {
        var result = new List<Action<WatchedEvent>>();
        var seen = new HashSet<Action<WatchedEvent>>();
        lock (_gate)
        {
            switch (type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Take(WatchKind.Data, path, result, seen);
                    Take(WatchKind.Exist, path, result, seen);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    Take(WatchKind.Child, path, result, seen);
                    break;
                case WatchEventType.NodeDeleted:
                    Take(WatchKind.Data, path, result, seen);
                    Take(WatchKind.Exist, path, result, seen);
                    Take(WatchKind.Child, path, result, seen);
                    break;
            }

            Copy(WatchKind.Persistent, path, result, seen);
            if (type != WatchEventType.NodeChildrenChanged && _tables[(int)WatchKind.PersistentRecursive].Count > 0)
            {
                foreach (string ancestor in SelfAndAncestors(path))
                {
                    Copy(WatchKind.PersistentRecursive, ancestor, result, seen);
                }
            }
        }

        return result;
    }

    /// <summary>The paths of each table, for SetWatches after a reconnect.</summary>
    public WatchSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new WatchSnapshot(
                [.. _tables[(int)WatchKind.Data].Keys],
                [.. _tables[(int)WatchKind.Exist].Keys],
                [.. _tables[(int)WatchKind.Child].Keys],
                [.. _tables[(int)WatchKind.Persistent].Keys],
                [.. _tables[(int)WatchKind.PersistentRecursive].Keys]);
        }
    }

    /// <summary>Drops every watch (session lost: the server forgot them too).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (Dictionary<string, HashSet<Action<WatchedEvent>>> table in _tables)
            {
                table.Clear();
            }
        }
    }

    /// <summary>True if <paramref name="watcher"/> (or any watcher, when null) is registered for the path in the tables <paramref name="type"/> covers.</summary>
    public bool Contains(string path, Action<WatchedEvent>? watcher, WatcherType type)
    {
        lock (_gate)
        {
            foreach (WatchKind kind in KindsFor(type))
            {
                if (_tables[(int)kind].TryGetValue(path, out HashSet<Action<WatchedEvent>>? set) && (watcher is null || set.Contains(watcher)))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Removes <paramref name="watcher"/> (or every watcher, when null) from the tables <paramref name="type"/> covers.
    /// Returns what was removed and which server-side registrations no longer have a local watcher.
    /// </summary>
    public RemovalResult Remove(string path, Action<WatchedEvent>? watcher, WatcherType type)
    {
        var removed = new List<(WatchKind Kind, Action<WatchedEvent> Watcher)>();
        bool dataGone = false;
        bool childGone = false;
        bool persistentGone = false;
        lock (_gate)
        {
            foreach (WatchKind kind in KindsFor(type))
            {
                Dictionary<string, HashSet<Action<WatchedEvent>>> table = _tables[(int)kind];
                if (!table.TryGetValue(path, out HashSet<Action<WatchedEvent>>? set))
                {
                    continue;
                }

                if (watcher is null)
                {
                    foreach (Action<WatchedEvent> w in set)
                    {
                        removed.Add((kind, w));
                    }

                    set.Clear();
                }
                else if (set.Remove(watcher))
                {
                    removed.Add((kind, watcher));
                }

                if (set.Count == 0)
                {
                    table.Remove(path);
                }
            }

            bool removedAny(WatchKind k) => removed.Exists(r => r.Kind == k);
            dataGone = (removedAny(WatchKind.Data) || removedAny(WatchKind.Exist))
                && !_tables[(int)WatchKind.Data].ContainsKey(path) && !_tables[(int)WatchKind.Exist].ContainsKey(path);
            childGone = removedAny(WatchKind.Child) && !_tables[(int)WatchKind.Child].ContainsKey(path);
            persistentGone = (removedAny(WatchKind.Persistent) || removedAny(WatchKind.PersistentRecursive))
                && !_tables[(int)WatchKind.Persistent].ContainsKey(path) && !_tables[(int)WatchKind.PersistentRecursive].ContainsKey(path);
        }

        return new RemovalResult(removed, dataGone, childGone, persistentGone);
    }

    private static WatchKind[] KindsFor(WatcherType type) => type switch
    {
        WatcherType.Children => [WatchKind.Child],
        WatcherType.Data => [WatchKind.Data, WatchKind.Exist],
        _ => [WatchKind.Data, WatchKind.Exist, WatchKind.Child, WatchKind.Persistent, WatchKind.PersistentRecursive],
    };

    private void Take(WatchKind kind, string path, List<Action<WatchedEvent>> result, HashSet<Action<WatchedEvent>> seen)
    {
        if (_tables[(int)kind].Remove(path, out HashSet<Action<WatchedEvent>>? set))
        {
            foreach (Action<WatchedEvent> watcher in set)
            {
                if (seen.Add(watcher))
                {
                    result.Add(watcher);
                }
            }
        }
    }

    private void Copy(WatchKind kind, string path, List<Action<WatchedEvent>> result, HashSet<Action<WatchedEvent>> seen)
    {
        if (_tables[(int)kind].TryGetValue(path, out HashSet<Action<WatchedEvent>>? set))
        {
            foreach (Action<WatchedEvent> watcher in set)
            {
                if (seen.Add(watcher))
                {
                    result.Add(watcher);
                }
            }
        }
    }

    private static IEnumerable<string> SelfAndAncestors(string path)
    {
        yield return path;
        string current = path;
        while (current.Length > 1)
        {
            int slash = current.LastIndexOf('/');
            current = slash <= 0 ? "/" : current[..slash];
            yield return current;
        }
    }
}

/// <summary>The watched paths of each table at one moment.</summary>
internal sealed record WatchSnapshot(
    IReadOnlyList<string> Data,
    IReadOnlyList<string> Exist,
    IReadOnlyList<string> Child,
    IReadOnlyList<string> Persistent,
    IReadOnlyList<string> PersistentRecursive)
{
    public bool IsEmpty => Data.Count + Exist.Count + Child.Count + Persistent.Count + PersistentRecursive.Count == 0;
}

/// <summary>What <see cref="WatchManager.Remove"/> removed, and which server registrations are now unused.</summary>
internal sealed record RemovalResult(
    IReadOnlyList<(WatchKind Kind, Action<WatchedEvent> Watcher)> Removed,
    bool DataRegistrationUnused,
    bool ChildRegistrationUnused,
    bool PersistentRegistrationUnused);

using System.Runtime.InteropServices;

namespace ZkTypedState.Client.Watches;

/// <summary>
/// The client's local watch tables (client paths, chroot stripped). The server keeps one registration per
/// connection and path and sends one event per change; this fans it out to every local watcher, removes
/// one-shot watchers as they fire, and supplies the lists re-registered with SetWatches after a reconnect.
/// </summary>
/// <remarks>
/// Almost every watched path has exactly one watcher (the runtime's, for tens of thousands of nodes), so a path holds
/// its watcher itself and only a second distinct watcher makes it a <see cref="HashSet{T}"/> (see <see cref="WatcherSet"/>):
/// no set of one per path, and materializing an event allocates only its result list.
/// </remarks>
internal sealed class WatchManager
{
    private readonly object _gate = new();
    private readonly Dictionary<string, WatcherSet>[] _tables =
        [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    public void Add(WatchKind kind, string path, Action<WatchedEvent> watcher)
    {
        lock (_gate)
        {
            ref WatcherSet set = ref CollectionsMarshal.GetValueRefOrAddDefault(_tables[(int)kind], path, out _);
            set = set.With(watcher);
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
                foreach (Dictionary<string, WatcherSet> table in _tables)
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
        var result = new List<Action<WatchedEvent>>(1);
        lock (_gate)
        {
            switch (type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Take(WatchKind.Data, path, result);
                    Take(WatchKind.Exist, path, result);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    Take(WatchKind.Child, path, result);
                    break;
                case WatchEventType.NodeDeleted:
                    Take(WatchKind.Data, path, result);
                    Take(WatchKind.Exist, path, result);
                    Take(WatchKind.Child, path, result);
                    break;
            }

            Copy(WatchKind.Persistent, path, result);
            if (type != WatchEventType.NodeChildrenChanged && _tables[(int)WatchKind.PersistentRecursive].Count > 0)
            {
                foreach (string ancestor in SelfAndAncestors(path))
                {
                    Copy(WatchKind.PersistentRecursive, ancestor, result);
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
            foreach (Dictionary<string, WatcherSet> table in _tables)
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
                if (_tables[(int)kind].TryGetValue(path, out WatcherSet set) && (watcher is null || set.Contains(watcher)))
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
                Dictionary<string, WatcherSet> table = _tables[(int)kind];
                if (!table.TryGetValue(path, out WatcherSet set))
                {
                    continue;
                }

                if (watcher is null)
                {
                    foreach (Action<WatchedEvent> w in set)
                    {
                        removed.Add((kind, w));
                    }

                    table.Remove(path);
                }
                else if (set.Contains(watcher))
                {
                    removed.Add((kind, watcher));
                    WatcherSet rest = set.Without(watcher);
                    if (rest.IsEmpty)
                    {
                        table.Remove(path);
                    }
                    else
                    {
                        table[path] = rest;
                    }
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

    private void Take(WatchKind kind, string path, List<Action<WatchedEvent>> result)
    {
        if (_tables[(int)kind].Remove(path, out WatcherSet set))
        {
            AddDistinct(set, result);
        }
    }

    private void Copy(WatchKind kind, string path, List<Action<WatchedEvent>> result)
    {
        if (_tables[(int)kind].TryGetValue(path, out WatcherSet set))
        {
            AddDistinct(set, result);
        }
    }

    // An event goes to each watcher once, whichever tables hold it. A set is distinct in itself; merging into a few
    // watchers already taken is a linear check, into many a hashed one.
    private static void AddDistinct(WatcherSet set, List<Action<WatchedEvent>> result)
    {
        if (result.Count == 0)
        {
            foreach (Action<WatchedEvent> watcher in set)
            {
                result.Add(watcher);
            }

            return;
        }

        HashSet<Action<WatchedEvent>>? seen = result.Count > 8 ? [.. result] : null;
        foreach (Action<WatchedEvent> watcher in set)
        {
            if (seen is not null ? seen.Add(watcher) : !result.Contains(watcher))
            {
                result.Add(watcher);
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

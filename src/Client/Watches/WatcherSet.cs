namespace ZkTypedState.Client.Watches;

/// <summary>
/// The watchers of one path in one watch table: nothing, one watcher held directly, or a set once a second distinct
/// watcher is added. A value type over one reference, so the common single watcher costs no allocation of its own.
/// </summary>
internal readonly struct WatcherSet
{
    // null, an Action<WatchedEvent>, or a HashSet<Action<WatchedEvent>> of two or more.
    private readonly object? _watchers;

    private WatcherSet(object? watchers) => _watchers = watchers;

    public bool IsEmpty => _watchers is null;

    public int Count => _watchers switch
    {
        null => 0,
        HashSet<Action<WatchedEvent>> many => many.Count,
        _ => 1,
    };

    public bool Contains(Action<WatchedEvent> watcher) => _watchers switch
    {
        null => false,
        HashSet<Action<WatchedEvent>> many => many.Contains(watcher),
        Action<WatchedEvent> one => one.Equals(watcher),
        _ => false,
    };

    /// <summary>This set with <paramref name="watcher"/> added (a set mutated in place, or a new single or pair).</summary>
    public WatcherSet With(Action<WatchedEvent> watcher)
    {
        switch (_watchers)
        {
            case null:
                return new WatcherSet(watcher);
            case HashSet<Action<WatchedEvent>> many:
                many.Add(watcher);
                return this;
            case Action<WatchedEvent> one when one.Equals(watcher):
                return this;
            default:
                return new WatcherSet(new HashSet<Action<WatchedEvent>> { (Action<WatchedEvent>)_watchers, watcher });
        }
    }

    /// <summary>This set without <paramref name="watcher"/> (a set mutated in place, or empty).</summary>
    public WatcherSet Without(Action<WatchedEvent> watcher)
    {
        switch (_watchers)
        {
            case HashSet<Action<WatchedEvent>> many:
                many.Remove(watcher);
                return many.Count == 0 ? default : this;
            case Action<WatchedEvent> one when one.Equals(watcher):
                return default;
            default:
                return this;
        }
    }

    public Enumerator GetEnumerator() => new(_watchers);

    /// <summary>Enumerates the single watcher or the set's, without boxing.</summary>
    public struct Enumerator
    {
        private readonly Action<WatchedEvent>? _one;
        private HashSet<Action<WatchedEvent>>.Enumerator _many;
        private readonly bool _isSet;
        private bool _done;

        internal Enumerator(object? watchers)
        {
            _isSet = watchers is HashSet<Action<WatchedEvent>>;
            _many = _isSet ? ((HashSet<Action<WatchedEvent>>)watchers!).GetEnumerator() : default;
            _one = _isSet ? null : watchers as Action<WatchedEvent>;
            _done = _one is null && !_isSet;
            Current = null!;
        }

        public Action<WatchedEvent> Current { get; private set; }

        public bool MoveNext()
        {
            if (_isSet)
            {
                if (_many.MoveNext())
                {
                    Current = _many.Current;
                    return true;
                }

                return false;
            }

            if (_done)
            {
                return false;
            }

            _done = true;
            Current = _one!;
            return true;
        }
    }
}

using ZkTypedState.Client;

namespace ZkTypedState;

/// <content>The state of one discovery level.</content>
internal sealed partial class ZNodeFamily<T>
{
    /// <summary>One level's parent node, its last listing and its listing loop's state (all guarded by the family's lock).</summary>
    private sealed class LevelWatch(string[] prefix, string path)
    {
        private long _watcherEpoch;
        private Action<WatchedEvent>? _watcher;

        public string[] Prefix { get; } = prefix;

        public string Path { get; } = path;

        public HashSet<string> Children { get; } = new(StringComparer.Ordinal);

        /// <summary>The session whose listing loop is running for this level (0: none).</summary>
        public long RunningEpoch { get; set; }

        public void StoppedRunning(long epoch)
        {
            if (RunningEpoch == epoch)
            {
                RunningEpoch = 0;
            }
        }

        public bool Again { get; set; }

        public bool Listed { get; set; }

        public bool Removed { get; set; }

        /// <summary>
        /// A listing answered while the runtime had taken in a disconnection, applied when the family is told of the
        /// re-attach (null: none); a newer listing replaces it, one applied meanwhile drops it.
        /// </summary>
        public IReadOnlyList<string>? Parked { get; set; }

        /// <summary>One watcher instance per session, so the client holds one registration however often it is re-armed.</summary>
        public Action<WatchedEvent> WatcherFor(long epoch, Action<WatchedEvent> create)
        {
            if (_watcher is null || _watcherEpoch != epoch)
            {
                _watcher = create;
                _watcherEpoch = epoch;
            }

            return _watcher;
        }
    }
}

namespace ZkTypedState.Client.Watches;

/// <summary>The client's five watch tables, mirroring what the server keeps per connection.</summary>
internal enum WatchKind
{
    /// <summary>Armed by getData, or by exists on a present node.</summary>
    Data,

    /// <summary>Armed by exists on a missing node.</summary>
    Exist,

    /// <summary>Armed by getChildren.</summary>
    Child,

    /// <summary>Armed by addWatch PERSISTENT.</summary>
    Persistent,

    /// <summary>Armed by addWatch PERSISTENT_RECURSIVE.</summary>
    PersistentRecursive,
}

/// <summary>A watch to record locally once the server confirmed it.</summary>
internal sealed record WatchRegistration(WatchKind Kind, string Path, Action<WatchedEvent> Watcher);

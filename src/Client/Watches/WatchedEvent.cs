namespace ZkTypedState.Client;

/// <summary>What happened to a watched node.</summary>
public enum WatchEventType
{
    /// <summary>The node was created.</summary>
    NodeCreated = 1,

    /// <summary>The node was deleted.</summary>
    NodeDeleted = 2,

    /// <summary>The node's data changed.</summary>
    NodeDataChanged = 3,

    /// <summary>A child was created or deleted.</summary>
    NodeChildrenChanged = 4,

    /// <summary>The watcher's data watch was removed by <c>RemoveWatchesAsync</c>.</summary>
    DataWatchRemoved = 5,

    /// <summary>The watcher's child watch was removed by <c>RemoveWatchesAsync</c>.</summary>
    ChildWatchRemoved = 6,

    /// <summary>The watcher's persistent watch was removed by <c>RemoveWatchesAsync</c>.</summary>
    PersistentWatchRemoved = 7,
}

/// <summary>A notification delivered to a watcher.</summary>
/// <param name="Type">What happened.</param>
/// <param name="Path">The node's path, relative to the client's chroot.</param>
/// <param name="Zxid">The transaction that triggered the event when the server says so (ZooKeeper 3.9+ for live events), otherwise null.</param>
public sealed record WatchedEvent(WatchEventType Type, string Path, long? Zxid = null);

/// <summary>The kind of watch to remove or check.</summary>
public enum WatcherType
{
    /// <summary>Child watches.</summary>
    Children = 1,

    /// <summary>Data and exist watches.</summary>
    Data = 2,

    /// <summary>Every kind of watch on the path, persistent ones included.</summary>
    Any = 3,
}

/// <summary>The mode of a watch added with <c>AddWatchAsync</c>.</summary>
public enum AddWatchMode
{
    /// <summary>Fires for data changes, creation and deletion of the node and changes to its direct children; survives firing.</summary>
    Persistent = 0,

    /// <summary>Fires for creation, deletion and data changes of the node and every descendant (never NodeChildrenChanged); survives firing.</summary>
    PersistentRecursive = 1,
}

using ZkTypedState.Client;

namespace ZkTypedState.Recipes;

/// <summary>One hold of the lock: its node, the session that owns it, and how many handles share it.</summary>
internal sealed class LockHold(DistributedLock owner, string path, ZooKeeperClient client, long sessionId, long czxid)
{
    public DistributedLock Owner { get; } = owner;

    public string Path { get; } = path;

    public ZooKeeperClient Client { get; } = client;

    public long SessionId { get; } = sessionId;

    public long Czxid { get; } = czxid;

    /// <summary>Cancelled when the hold ends. Never disposed: handles may read its token after the release.</summary>
    public CancellationTokenSource Lost { get; } = new();

    /// <summary>Handles sharing the hold; guarded by the owner's lock.</summary>
    public int Count { get; set; }
}

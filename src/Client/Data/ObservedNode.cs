namespace ZkTypedState.Client;

/// <summary>
/// A read together with the zxid of the server state it observed (the reply header's zxid). Lets a cache decide
/// whether an answer is newer than what it holds: apply data only if <see cref="Stat"/>'s mzxid is newer, and
/// "missing" only if <see cref="Zxid"/> is newer than the cached mzxid.
/// </summary>
/// <param name="Data">The node's data; null when the node does not exist (or for exists, which reads no data).</param>
/// <param name="Stat">The node's metadata; null when the node does not exist.</param>
/// <param name="Zxid">The server's last processed zxid when it answered.</param>
public sealed record ObservedNode(byte[]? Data, Stat? Stat, long Zxid)
{
    /// <summary>True when the node exists.</summary>
    public bool Exists => Stat is not null;
}

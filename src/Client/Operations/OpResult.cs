namespace ZkTypedState.Client;

/// <summary>The outcome of one operation of a multi or multi-read.</summary>
public abstract record OpResult
{
    private OpResult()
    {
    }

    /// <summary>A node was created. <paramref name="Stat"/> is null for plain creates inside a multi (the server returns the path only).</summary>
    public sealed record Create(string Path, Stat? Stat) : OpResult;

    /// <summary>A node was deleted.</summary>
    public sealed record Delete : OpResult;

    /// <summary>A node's data was set.</summary>
    public sealed record SetData(Stat Stat) : OpResult;

    /// <summary>A version check passed.</summary>
    public sealed record Check : OpResult;

    /// <summary>A node's data was read.</summary>
    public sealed record GetData(byte[] Data, Stat Stat) : OpResult;

    /// <summary>A node's children were listed.</summary>
    public sealed record GetChildren(IReadOnlyList<string> Children) : OpResult;

    /// <summary>The operation failed (or, in a failed multi, was not applied: <see cref="ZooKeeperErrorCode.Ok"/> before the failing one, <see cref="ZooKeeperErrorCode.RuntimeInconsistency"/> after it).</summary>
    public sealed record Error(ZooKeeperErrorCode Code) : OpResult;
}

namespace ZkTypedState.Testing;

/// <summary>
/// ZooKeeper request opcodes (the <c>type</c> of a RequestHeader), for reading <see cref="FaultProxy.GetRequestCounts"/>.
/// </summary>
public static class ZooKeeperOpCodes
{
    /// <summary><c>create</c>.</summary>
    public const int Create = 1;

    /// <summary><c>delete</c>.</summary>
    public const int Delete = 2;

    /// <summary><c>exists</c>.</summary>
    public const int Exists = 3;

    /// <summary><c>getData</c>.</summary>
    public const int GetData = 4;

    /// <summary><c>setData</c>.</summary>
    public const int SetData = 5;

    /// <summary><c>getACL</c>.</summary>
    public const int GetAcl = 6;

    /// <summary><c>setACL</c>.</summary>
    public const int SetAcl = 7;

    /// <summary><c>getChildren</c>.</summary>
    public const int GetChildren = 8;

    /// <summary><c>sync</c>.</summary>
    public const int Sync = 9;

    /// <summary><c>ping</c> (sent with xid -2).</summary>
    public const int Ping = 11;

    /// <summary><c>getChildren2</c>.</summary>
    public const int GetChildren2 = 12;

    /// <summary><c>check</c> (inside multi).</summary>
    public const int Check = 13;

    /// <summary><c>multi</c>.</summary>
    public const int Multi = 14;

    /// <summary><c>create2</c>.</summary>
    public const int Create2 = 15;

    /// <summary><c>reconfig</c>.</summary>
    public const int Reconfig = 16;

    /// <summary><c>createContainer</c>.</summary>
    public const int CreateContainer = 19;

    /// <summary><c>createTTL</c>.</summary>
    public const int CreateTtl = 21;

    /// <summary><c>multiRead</c>.</summary>
    public const int MultiRead = 22;

    /// <summary><c>auth</c> (sent with xid -4).</summary>
    public const int Auth = 100;

    /// <summary><c>setWatches</c> (sent with xid -8 after a reconnect).</summary>
    public const int SetWatches = 101;

    /// <summary><c>setWatches2</c>.</summary>
    public const int SetWatches2 = 105;

    /// <summary><c>addWatch</c>.</summary>
    public const int AddWatch = 106;

    /// <summary><c>whoAmI</c>.</summary>
    public const int WhoAmI = 107;

    /// <summary><c>closeSession</c>.</summary>
    public const int CloseSession = -11;
}

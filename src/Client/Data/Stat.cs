using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client;

/// <summary>The metadata ZooKeeper keeps for every node.</summary>
/// <param name="Czxid">The zxid of the transaction that created the node.</param>
/// <param name="Mzxid">The zxid of the last change to the node's data (equals <paramref name="Czxid"/> until the first setData).
/// Compare this, never <paramref name="Version"/>, to tell whether a value is newer: versions restart at 0 when a node is re-created.</param>
/// <param name="Ctime">Creation time, milliseconds since the Unix epoch (server clock).</param>
/// <param name="Mtime">Last data change time, milliseconds since the Unix epoch (server clock).</param>
/// <param name="Version">Data version, +1 per setData.</param>
/// <param name="Cversion">Child version: creations plus deletions of children.</param>
/// <param name="Aversion">ACL version, +1 per setACL.</param>
/// <param name="EphemeralOwner">The owning session for ephemeral nodes; 0 for persistent, container and TTL nodes.</param>
/// <param name="DataLength">Length of the node's data.</param>
/// <param name="NumChildren">Number of children.</param>
/// <param name="Pzxid">The zxid of the last child creation or deletion.</param>
public readonly record struct Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    /// <summary>Encoded size of a Stat record.</summary>
    internal const int Size = 68;

    /// <summary>True for ephemeral nodes (owned by a session).</summary>
    public bool IsEphemeral => EphemeralOwner != 0;

    /// <summary>Creation time as a <see cref="DateTimeOffset"/> (clamped to the representable range: a server may send any 64-bit value).</summary>
    public DateTimeOffset CreatedAt => FromUnixMilliseconds(Ctime);

    /// <summary>Last data change time as a <see cref="DateTimeOffset"/> (clamped to the representable range).</summary>
    public DateTimeOffset ModifiedAt => FromUnixMilliseconds(Mtime);

    // Record ToString prints these properties, so they must never throw (FromUnixTimeMilliseconds does out of range).
    private static DateTimeOffset FromUnixMilliseconds(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds, MinUnixMilliseconds, MaxUnixMilliseconds));

    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    internal static Stat Read(ref JuteReader reader) => new(
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt64(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt64());

    internal void Write(JuteWriter writer)
    {
        writer.WriteInt64(Czxid);
        writer.WriteInt64(Mzxid);
        writer.WriteInt64(Ctime);
        writer.WriteInt64(Mtime);
        writer.WriteInt32(Version);
        writer.WriteInt32(Cversion);
        writer.WriteInt32(Aversion);
        writer.WriteInt64(EphemeralOwner);
        writer.WriteInt32(DataLength);
        writer.WriteInt32(NumChildren);
        writer.WriteInt64(Pzxid);
    }
}

using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client;

/// <summary>
/// One operation of a multi. Write operations (<see cref="Create"/>, <see cref="Delete"/>, <see cref="SetData"/>,
/// <see cref="Check"/>) go to <c>MultiAsync</c> and are applied all or nothing; read operations
/// (<see cref="GetData"/>, <see cref="GetChildren"/>) go to <c>MultiReadAsync</c>.
/// </summary>
public abstract record Op(string Path)
{
    internal abstract OpCode OpCode { get; }

    internal abstract bool IsRead { get; }

    internal abstract void WriteBody(JuteWriter writer, string serverPath);

    /// <summary>Creates a node.</summary>
    public sealed record Create(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode = CreateMode.Persistent, IReadOnlyList<Acl>? Acl = null, long Ttl = 0) : Op(Path)
    {
        // Inside a multi the node kind is told by the opcode just as outside it: plain create for flags 0–3.
        internal override OpCode OpCode => Mode switch
        {
            CreateMode.Container => OpCode.CreateContainer,
            CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => OpCode.CreateTtl,
            _ => OpCode.Create,
        };

        internal override bool IsRead => false;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteBuffer(Data.Span);
            Client.Acl.WriteList(writer, Acl ?? Client.Acl.OpenUnsafe);
            writer.WriteInt32((int)Mode);
            if (Mode.HasTtl())
            {
                writer.WriteInt64(Ttl);
            }
        }
    }

    /// <summary>Deletes a node if its version matches (−1: any version).</summary>
    public sealed record Delete(string Path, int Version = -1) : Op(Path)
    {
        internal override OpCode OpCode => OpCode.Delete;

        internal override bool IsRead => false;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteInt32(Version);
        }
    }

    /// <summary>Sets a node's data if its version matches (−1: any version).</summary>
    public sealed record SetData(string Path, ReadOnlyMemory<byte> Data, int Version = -1) : Op(Path)
    {
        internal override OpCode OpCode => OpCode.SetData;

        internal override bool IsRead => false;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteBuffer(Data.Span);
            writer.WriteInt32(Version);
        }
    }

    /// <summary>Fails the whole multi unless the node exists with this version (−1: any version, i.e. it exists).</summary>
    public sealed record Check(string Path, int Version) : Op(Path)
    {
        internal override OpCode OpCode => OpCode.Check;

        internal override bool IsRead => false;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteInt32(Version);
        }
    }

    /// <summary>Reads a node's data (multi-read only; sets no watch).</summary>
    public sealed record GetData(string Path) : Op(Path)
    {
        internal override OpCode OpCode => OpCode.GetData;

        internal override bool IsRead => true;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteBool(false);
        }
    }

    /// <summary>Lists a node's children (multi-read only; sets no watch).</summary>
    public sealed record GetChildren(string Path) : Op(Path)
    {
        internal override OpCode OpCode => OpCode.GetChildren;

        internal override bool IsRead => true;

        internal override void WriteBody(JuteWriter writer, string serverPath)
        {
            writer.WriteString(serverPath);
            writer.WriteBool(false);
        }
    }
}

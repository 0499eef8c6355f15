using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client.Protocol;

/// <summary>Header of every server frame after the handshake: xid, the server's last zxid, and an error code.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, int Err)
{
    public const int Size = 16;

    public static ReplyHeader Read(ref JuteReader reader) => new(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(Xid);
        writer.WriteInt64(Zxid);
        writer.WriteInt32(Err);
    }
}

using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client.Protocol;

/// <summary>The first frame of a connection (no request header): asks for a new session or re-attaches one.</summary>
internal readonly record struct ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public const int PasswordLength = 16;

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(ProtocolVersion);
        writer.WriteInt64(LastZxidSeen);
        writer.WriteInt32(TimeoutMs);
        writer.WriteInt64(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBool(ReadOnly);
    }

    public static ConnectRequest Read(ref JuteReader reader)
    {
        int version = reader.ReadInt32();
        long zxid = reader.ReadInt64();
        int timeout = reader.ReadInt32();
        long session = reader.ReadInt64();
        byte[] password = reader.ReadBuffer() ?? [];
        bool readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectRequest(version, zxid, timeout, session, password, readOnly);
    }
}

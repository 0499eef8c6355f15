using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client.Protocol;

/// <summary>The server's answer to <see cref="ConnectRequest"/>. A timeout of 0 or less means the session is invalid (expired).</summary>
internal readonly record struct ConnectResponse(int ProtocolVersion, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public bool IsSessionValid => TimeoutMs > 0;

    public static ConnectResponse Read(ref JuteReader reader)
    {
        int version = reader.ReadInt32();
        int timeout = reader.ReadInt32();
        long session = reader.ReadInt64();
        byte[] password = reader.ReadBuffer() ?? [];

        // The readOnly byte is present only when the request carried it (ours always does), but tolerate its absence.
        bool readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectResponse(version, timeout, session, password, readOnly);
    }

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(ProtocolVersion);
        writer.WriteInt32(TimeoutMs);
        writer.WriteInt64(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBool(ReadOnly);
    }
}

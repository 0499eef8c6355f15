using ZkTypedState.Client.Jute;

namespace ZkTypedState.Client.Protocol;

/// <summary>Body of a notification frame (xid −1): event type, keeper state and the server path.</summary>
internal readonly record struct WatcherEvent(int Type, int State, string Path)
{
    public static WatcherEvent Read(ref JuteReader reader) => new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadRequiredString());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(Type);
        writer.WriteInt32(State);
        writer.WriteString(Path);
    }
}

namespace ZkTypedState.Client.Protocol;

/// <summary>Reserved xids. Ordinary requests use 1 … int.MaxValue, wrapping back to 1.</summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}

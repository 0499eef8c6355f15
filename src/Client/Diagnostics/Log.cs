using Microsoft.Extensions.Logging;

namespace ZkTypedState.Client.Diagnostics;

/// <summary>
/// The client's log messages (source-generated, allocation-free when disabled). Auth data is never a
/// parameter of any of them.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "ZooKeeper state {Previous} -> {Current} (session 0x{SessionId:x}).")]
    public static partial void StateChanged(ILogger logger, ZooKeeperState previous, ZooKeeperState current, long sessionId);

    [LoggerMessage(2, LogLevel.Information, "Connected to {Host}: session 0x{SessionId:x}, negotiated timeout {TimeoutMs} ms, lastZxidSeen 0x{LastZxid:x}.")]
    public static partial void Connected(ILogger logger, string host, long sessionId, int timeoutMs, long lastZxid);

    [LoggerMessage(3, LogLevel.Debug, "Connection attempt to {Host} failed: {Reason}")]
    public static partial void ConnectAttemptFailed(ILogger logger, string host, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Connection to {Host} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string host, string reason);

    [LoggerMessage(5, LogLevel.Error, "A watcher for {Type} {Path} threw.")]
    public static partial void WatcherFailed(ILogger logger, WatchEventType type, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "A ZooKeeper client callback threw.")]
    public static partial void CallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Event dispatcher did not drain within {Timeout}; a callback may be blocked.")]
    public static partial void DispatcherDrainTimedOut(ILogger logger, TimeSpan timeout);


    [LoggerMessage(9, LogLevel.Debug, "Re-registered {Count} watched paths with relativeZxid 0x{Zxid:x} in {Packets} packet(s).")]
    public static partial void WatchesReRegistered(ILogger logger, int count, long zxid, int packets);

    [LoggerMessage(10, LogLevel.Warning, "Re-registering watches failed: {Code}.")]
    public static partial void SetWatchesFailed(ILogger logger, string code);

    [LoggerMessage(11, LogLevel.Warning, "Close of session 0x{SessionId:x} was not confirmed by the server: {Reason}")]
    public static partial void CloseNotConfirmed(ILogger logger, long sessionId, string reason);

    [LoggerMessage(12, LogLevel.Warning, "Dropped a notification for {Path}, which lies outside the chroot.")]
    public static partial void NotificationOutsideChroot(ILogger logger, string path);

    [LoggerMessage(13, LogLevel.Warning, "Cannot connect to ZooKeeper at {Host}: {Reason} ({Suppressed} more failed attempts since the last warning).")]
    public static partial void ConnectAttemptsFailing(ILogger logger, string host, string reason, int suppressed);

    [LoggerMessage(14, LogLevel.Warning, "Dropped a notification of undefined event type {Type} for {Path}.")]
    public static partial void UndefinedEventType(ILogger logger, int type, string path);

    [LoggerMessage(15, LogLevel.Error, "ZooKeeper authentication failed; the client is finished (AuthFailed): {Reason}")]
    public static partial void AuthFailed(ILogger logger, string reason);
}

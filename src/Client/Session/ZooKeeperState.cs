namespace ZkTypedState.Client;

/// <summary>The state of a <see cref="ZooKeeperClient"/> and its session.</summary>
public enum ZooKeeperState
{
    /// <summary>Establishing the first session.</summary>
    Connecting,

    /// <summary>Connected with a live session; requests flow.</summary>
    Connected,

    /// <summary>The connection was lost; the session may still be alive and the client is re-attaching it. Requests wait.</summary>
    Disconnected,

    /// <summary>
    /// No server was heard from for the session timeout (times <see cref="ZooKeeperClientOptions.PresumedExpiryFraction"/>):
    /// the server has dropped the session or will soon, so act as on expiry. The client still tries to re-attach
    /// and moves to <see cref="Expired"/> when a server confirms (or back to <see cref="Connected"/> if, against the odds, it was still alive).
    /// </summary>
    SessionPresumedExpired,

    /// <summary>A server confirmed the session expired. Terminal: every call fails with <see cref="SessionExpiredException"/>; create a new client.</summary>
    Expired,

    /// <summary>
    /// Authentication failed: a server rejected a credential, or requires authentication (enforce.auth) and this client
    /// gave none it accepts (error -124, the reason is a <see cref="SessionClosedRequireAuthException"/>). Terminal:
    /// every call fails with <see cref="AuthFailedException"/> (its inner exception is the reason).
    /// </summary>
    AuthFailed,

    /// <summary>The client was disposed. Terminal.</summary>
    Closed,
}

/// <summary>Helpers for <see cref="ZooKeeperState"/>.</summary>
public static class ZooKeeperStateExtensions
{
    /// <summary>True for states the client never leaves.</summary>
    public static bool IsTerminal(this ZooKeeperState state) => state is ZooKeeperState.Expired or ZooKeeperState.AuthFailed or ZooKeeperState.Closed;

    /// <summary>True when the session must be treated as lost (presumed or confirmed), or the client is finished.</summary>
    public static bool IsSessionLost(this ZooKeeperState state) => state is ZooKeeperState.SessionPresumedExpired || state.IsTerminal();
}

/// <summary>A change of <see cref="ZooKeeperClient.State"/>.</summary>
/// <param name="Previous">The state before.</param>
/// <param name="Current">The new state.</param>
/// <param name="Since">When the new state began.</param>
/// <param name="SessionId">The session id at the time of the change (0 before the first session).</param>
/// <param name="Reason">What caused it, when known (the connection error, the expiry, the auth failure).</param>
public sealed record ZooKeeperStateChange(ZooKeeperState Previous, ZooKeeperState Current, DateTimeOffset Since, long SessionId, Exception? Reason);

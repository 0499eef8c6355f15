using ZkTypedState.Client.Protocol;

namespace ZkTypedState.Client.Connection;

/// <content>Error -124: the server requires authentication this connection did not give.</content>
internal sealed partial class ZkConnection
{
    /// <summary>
    /// A server with enforce.auth answers the first request of a connection without credentials of its scheme — an
    /// ordinary request, a ping or a SetWatches — with -124 and closes the connection. Reconnecting cannot help (the
    /// same credentials would be sent again), so this is an authentication failure, terminal for the client like a
    /// rejected credential; the request that drew it fails with the rest as the connection ends.
    /// </summary>
    private void ThrowIfAuthRequired(IConnectionOwner owner, in ReplyHeader header)
    {
        if (header.Err != (int)ZooKeeperErrorCode.SessionClosedRequireSaslAuth)
        {
            return;
        }

        var failure = new SessionClosedRequireAuthException(
            null,
            $"ZooKeeper: {Host} closed the connection because the server requires authentication (enforce.auth) and no credentials were accepted (error -124, SessionClosedRequireSaslAuth). Add credentials of the scheme the server enforces before the first request (AddAuthAsync / AddDigestAuthAsync, or the runtime's Credentials).");
        owner.OnAuthFailed(failure);
        throw failure;
    }
}

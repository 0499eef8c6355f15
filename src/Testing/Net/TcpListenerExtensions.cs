using System.Net.Sockets;

namespace ZkTypedState.Testing;

/// <summary>The accept step shared by the harness's TCP servers (fault proxy, its control port, the scripted server).</summary>
internal static class TcpListenerExtensions
{
    /// <summary>
    /// Accepts the next connection; null once the listener is stopped or <paramref name="token"/> fires. A connection
    /// that dies while being accepted is skipped.
    /// </summary>
    public static async Task<Socket?> AcceptOrNullAsync(this TcpListener listener, CancellationToken token)
    {
        while (true)
        {
            try
            {
                return await listener.AcceptSocketAsync(token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException
                                              || (exception is SocketException && token.IsCancellationRequested))
            {
                return null;
            }
            catch (SocketException)
            {
            }
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace ZkTypedState.Testing;

/// <summary>Picks currently free TCP ports on the loopback interface.</summary>
internal static class FreePorts
{
    /// <summary>
    /// Returns <paramref name="count"/> distinct free loopback ports. All listeners are held open until every
    /// port has been picked, so the ports are distinct from each other; another process may still take one
    /// before it is used, which callers handle by retrying.
    /// </summary>
    public static int[] Pick(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>Returns one free loopback port.</summary>
    public static int PickOne() => Pick(1)[0];
}

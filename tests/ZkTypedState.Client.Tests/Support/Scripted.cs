using System.Buffers.Binary;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Support;

/// <summary>Shared steps for tests driving a <see cref="ScriptedZooKeeperServer"/>.</summary>
public static class Scripted
{
    /// <summary>
    /// Creates a client for the server (optionally customised), accepts it and answers its handshake;
    /// <paramref name="sinceHandshake"/>, when given, is started just before the handshake is answered.
    /// </summary>
    public static async Task<(ZooKeeperClient Client, ScriptedConnection Connection)> ConnectAsync(
        ScriptedZooKeeperServer server, int timeoutMs = 4000, Action<ZooKeeperClientOptions>? configure = null, System.Diagnostics.Stopwatch? sinceHandshake = null)
    {
        // A scripted server rarely answers closeSession: do not let every test wait the default 2 s for it.
        var options = new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromMilliseconds(timeoutMs), CloseTimeout = TimeSpan.FromMilliseconds(100) };
        configure?.Invoke(options);
        var client = new ZooKeeperClient(options);
        ScriptedConnection connection = await server.AcceptAsync(Timeouts.Token());
        await connection.ReadConnectRequestAsync(Timeouts.Token());
        sinceHandshake?.Start();
        await connection.SendConnectResponseAsync(timeoutMs, sessionId: 0x42);
        await client.WaitForConnectedAsync(Timeouts.Token());
        return (client, connection);
    }

    /// <summary>A reply header: xid, zxid, err.</summary>
    public static byte[] Header(int xid, long zxid, int err)
    {
        byte[] header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, xid);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(4), zxid);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), err);
        return header;
    }

    /// <summary>Length-prefixes the concatenated parts.</summary>
    public static byte[] Frame(params byte[][] parts)
    {
        int length = parts.Sum(p => p.Length);
        byte[] frame = new byte[4 + length];
        BinaryPrimitives.WriteInt32BigEndian(frame, length);
        int offset = 4;
        foreach (byte[] part in parts)
        {
            part.CopyTo(frame, offset);
            offset += part.Length;
        }

        return frame;
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace ZkTypedState.Client.Tests.Harness;

/// <summary>
/// A hand-rolled ZooKeeper wire connection for testing the harness without the real client: writes raw frames
/// (ConnectRequest, ping, create, getData, closeSession) and reads raw reply frames.
/// </summary>
internal sealed class RawZooKeeperConnection : IAsyncDisposable
{
    public static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    public const int ConnectResponseLength = 37;
    public const int ReplyHeaderLength = 16;
    public const int PingXid = -2;

    private readonly Socket socket;
    private int nextXid = 1;

    private RawZooKeeperConnection(Socket socket) => this.socket = socket;

    public static async Task<RawZooKeeperConnection> OpenAsync(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(IoTimeout);
        await socket.ConnectAsync(host, port, timeout.Token);
        return new RawZooKeeperConnection(socket);
    }

    /// <summary>Opens a connection and completes the session handshake.</summary>
    public static async Task<RawZooKeeperConnection> ConnectAsync(string host, int port, int sessionTimeoutMs = 30000)
    {
        var connection = await OpenAsync(host, port);
        try
        {
            await connection.HandshakeAsync(sessionTimeoutMs);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>49 bytes: length 45, protocolVersion 0, lastZxidSeen 0, timeout, sessionId 0, 16-byte zero password, readOnly 0.</summary>
    public static byte[] ConnectRequestFrame(int sessionTimeoutMs = 30000)
    {
        var frame = new byte[49];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(0), 45);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), 0);
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(8), 0);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(16), sessionTimeoutMs);
        BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(20), 0);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(28), 16);
        return frame; // password bytes 32..47 and readOnly byte 48 stay zero
    }

    /// <summary>12 bytes: length 8, xid -2, opcode 11.</summary>
    public static byte[] PingFrame()
    {
        var frame = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(0), 8);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), PingXid);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 11);
        return frame;
    }

    public async Task<(int NegotiatedTimeoutMs, long SessionId)> HandshakeAsync(int sessionTimeoutMs = 30000)
    {
        await SendAsync(ConnectRequestFrame(sessionTimeoutMs));
        var reply = await ReadFrameAsync();
        Assert.Equal(ConnectResponseLength, reply.Length);
        var timeout = BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4));
        var sessionId = BinaryPrimitives.ReadInt64BigEndian(reply.AsSpan(8));
        Assert.NotEqual(0, sessionId);
        return (timeout, sessionId);
    }

    public Task SendPingAsync() => SendAsync(PingFrame());

    /// <summary>Sends a ping and reads its reply; returns the reply's xid.</summary>
    public async Task<int> PingAsync()
    {
        await SendPingAsync();
        return await ReadReplyXidAsync();
    }

    public async Task<int> ReadReplyXidAsync(CancellationToken cancellationToken = default)
    {
        var reply = await ReadFrameAsync(cancellationToken);
        Assert.Equal(ReplyHeaderLength, reply.Length);
        return BinaryPrimitives.ReadInt32BigEndian(reply);
    }

    /// <summary>create(path, data, OPEN_ACL_UNSAFE, persistent); returns the ZooKeeper error code (0 = ok).</summary>
    public async Task<int> CreateAsync(string path, byte[] data)
    {
        var body = new MemoryStream();
        WriteInt(body, nextXid++);
        WriteInt(body, 1);
        WriteString(body, path);
        WriteInt(body, data.Length);
        body.Write(data);
        WriteInt(body, 1); // one ACL
        WriteInt(body, 31); // perms ALL
        WriteString(body, "world");
        WriteString(body, "anyone");
        WriteInt(body, 0); // persistent
        await SendAsync(Frame(body.ToArray()));
        var reply = await ReadFrameAsync();
        return BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12));
    }

    /// <summary>Sends getData(path, watch: false) without reading the reply; returns the request's xid.</summary>
    public async Task<int> SendGetDataAsync(string path)
    {
        var xid = nextXid++;
        var body = new MemoryStream();
        WriteInt(body, xid);
        WriteInt(body, 4);
        WriteString(body, path);
        body.WriteByte(0);
        await SendAsync(Frame(body.ToArray()));
        return xid;
    }

    /// <summary>Reads a reply frame; returns its header's xid and error code.</summary>
    public async Task<(int Xid, int Error)> ReadReplyAsync()
    {
        var reply = await ReadFrameAsync();
        Assert.True(reply.Length >= ReplyHeaderLength, $"Reply of {reply.Length} bytes.");
        return (BinaryPrimitives.ReadInt32BigEndian(reply), BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12)));
    }

    /// <summary>getData(path, watch: false); returns the error code and the data.</summary>
    public async Task<(int Error, byte[] Data)> GetDataAsync(string path)
    {
        await SendGetDataAsync(path);
        var reply = await ReadFrameAsync();
        var error = BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12));
        if (error != 0)
        {
            return (error, []);
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(ReplyHeaderLength));
        return (0, length < 0 ? [] : reply.AsSpan(ReplyHeaderLength + 4, length).ToArray());
    }

    /// <summary>closeSession; returns the error code.</summary>
    public async Task<int> CloseSessionAsync()
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(body, nextXid++);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), -11);
        await SendAsync(Frame(body));
        var reply = await ReadFrameAsync();
        return BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12));
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(IoTimeout);
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            bytes = bytes[sent..];
        }
    }

    public async Task<byte[]> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(IoTimeout);
        var header = new byte[4];
        await ReadExactlyAsync(header, timeout.Token);
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        Assert.InRange(length, 0, 1 << 20);
        var payload = new byte[length];
        await ReadExactlyAsync(payload, timeout.Token);
        return payload;
    }

    /// <summary>One receive; 0 means the peer closed the connection.</summary>
    public async Task<int> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? IoTimeout);
        var buffer = new byte[4096];
        return await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static byte[] Frame(byte[] body)
    {
        var frame = new byte[body.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteString(Stream stream, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt(stream, bytes.Length);
        stream.Write(bytes);
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }

            buffer = buffer[read..];
        }
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Auth;

/// <summary>
/// What a ZooKeeper 3.8 server with enforce.auth does on the wire to a connection without credentials, seen with a raw
/// socket (no client of ours in the way): the handshake succeeds, the first request — an ordinary one or a ping —
/// is answered with error -124 (its own xid, zxid 0), and the server then closes the connection.
/// </summary>
public sealed class EnforcedAuthWireTests(EnforcedAuthServerFixture fixture) : IClassFixture<EnforcedAuthServerFixture>
{
    private const int ExistsOp = 3;
    private const int PingOp = 11;
    private const int AuthOp = 100;

    [Theory]
    [InlineData(1, ExistsOp)]
    [InlineData(-2, PingOp)]
    public async Task An_unauthenticated_first_request_gets_minus_124_then_the_connection_closes(int xid, int opCode)
    {
        using var socket = await HandshakeAsync();

        await SendAsync(socket, RequestHeader(xid, opCode), opCode == ExistsOp ? PathAndWatch("/") : []);
        byte[] reply = await ReadFrameAsync(socket);

        Assert.Equal(xid, BinaryPrimitives.ReadInt32BigEndian(reply));
        Assert.Equal(0L, BinaryPrimitives.ReadInt64BigEndian(reply.AsSpan(4)));
        Assert.Equal((int)ZooKeeperErrorCode.SessionClosedRequireSaslAuth, BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12)));
        Assert.Equal(16, reply.Length);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[1], Timeouts.Token()));
    }

    [Fact]
    public async Task After_a_digest_auth_packet_the_same_request_is_answered_normally()
    {
        using var socket = await HandshakeAsync();

        // Digest accepts any password: what enforce.auth checks is that the connection has an identity of its scheme.
        byte[] auth = Encoding.UTF8.GetBytes("anyone:any-password");
        await SendAsync(socket, RequestHeader(-4, AuthOp), [.. Int32(0), .. Jute("digest"), .. Int32(auth.Length), .. auth]);
        byte[] authReply = await ReadFrameAsync(socket);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(authReply.AsSpan(12)));

        await SendAsync(socket, RequestHeader(1, ExistsOp), PathAndWatch("/"));
        byte[] reply = await ReadFrameAsync(socket);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(reply));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(12)));
    }

    private async Task<Socket> HandshakeAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(fixture.Server.Host, fixture.Server.Port, Timeouts.Token());

        // ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (16 zero bytes), readOnly.
        byte[] request = [.. Int32(0), .. Int64(0), .. Int32(4000), .. Int64(0), .. Int32(16), .. new byte[16], 0];
        await SendAsync(socket, [], request);
        byte[] response = await ReadFrameAsync(socket);

        // ConnectResponse: protocolVersion, timeOut, sessionId: a real session was created.
        Assert.True(BinaryPrimitives.ReadInt64BigEndian(response.AsSpan(8)) != 0, "the handshake should create a session");
        return socket;
    }

    private static async Task SendAsync(Socket socket, byte[] header, byte[] body)
    {
        byte[] frame = [.. Int32(header.Length + body.Length), .. header, .. body];
        await socket.SendAsync(frame, Timeouts.Token());
    }

    private static async Task<byte[]> ReadFrameAsync(Socket socket)
    {
        byte[] length = await ReadExactlyAsync(socket, 4);
        return await ReadExactlyAsync(socket, BinaryPrimitives.ReadInt32BigEndian(length));
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), Timeouts.Token());
            Assert.True(n > 0, $"the server closed the connection after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }

    private static byte[] RequestHeader(int xid, int opCode) => [.. Int32(xid), .. Int32(opCode)];

    private static byte[] PathAndWatch(string path) => [.. Jute(path), 0];

    private static byte[] Jute(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        return [.. Int32(bytes.Length), .. bytes];
    }

    private static byte[] Int32(int value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Int64(long value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}

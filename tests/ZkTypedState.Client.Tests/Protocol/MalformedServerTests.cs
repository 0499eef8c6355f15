using System.Buffers.Binary;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Protocol;

/// <summary>What the client does with bytes no real server would send, driven by the scripted fake server.</summary>
public sealed class MalformedServerTests
{
    private const int GetDataOp = 4;

    [Fact]
    public async Task A_truncated_frame_fails_the_request_with_ConnectionLoss_and_closes_the_connection()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            Task<NodeData> read = client.GetDataAsync("/a");
            ScriptedRequest request = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;
            Assert.Equal(GetDataOp, request.OpCode);

            // A frame that promises 100 bytes, delivers 20, then the server goes away.
            byte[] partial = Scripted.Frame(Scripted.Header(request.Xid, 5, 0), new byte[84]).AsSpan(0, 24).ToArray();
            await connection.SendRawAsync(partial);
            connection.Close();

            var lost = await Assert.ThrowsAsync<ConnectionLossException>(() => read.WaitAsync(Timeouts.Event));
            var cause = Assert.IsType<ZooKeeperProtocolException>(lost.InnerException);
            Assert.Contains("middle of a frame", cause.Message);
        }
    }

    [Fact]
    public async Task An_oversize_length_prefix_closes_the_connection_at_once_without_allocating_it()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            Task<NodeData> read = client.GetDataAsync("/a");
            Assert.NotNull(await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()));
            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

            byte[] bogus = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(bogus, 0x7ffffff0);
            await connection.SendRawAsync(bogus);

            var lost = await Assert.ThrowsAsync<ConnectionLossException>(() => read.WaitAsync(Timeouts.Event));
            Assert.Contains("out of range", Assert.IsType<ZooKeeperProtocolException>(lost.InnerException).Message);
            Assert.True(await connection.WaitForClientCloseAsync(Timeouts.Token()));
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Assert.True(allocated < 64L * 1024 * 1024, $"The client allocated {allocated} bytes after a 2 GiB length prefix.");
        }
    }

    [Fact]
    public async Task A_garbage_record_in_a_reply_is_a_protocol_error_not_a_crash()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            Task<NodeData> read = client.GetDataAsync("/a");
            ScriptedRequest request = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;

            // Header OK, then a data buffer that claims 1 MB inside a 10-byte body.
            byte[] body = new byte[10];
            BinaryPrimitives.WriteInt32BigEndian(body, 1_000_000);
            await connection.SendRawAsync(Scripted.Frame(Scripted.Header(request.Xid, 5, 0), body));

            var lost = await Assert.ThrowsAsync<ConnectionLossException>(() => read.WaitAsync(Timeouts.Event));
            Assert.IsType<ZooKeeperProtocolException>(lost.InnerException);
            Assert.True(await connection.WaitForClientCloseAsync(Timeouts.Token()));
        }
    }

    [Fact]
    public async Task A_reply_with_the_wrong_xid_closes_the_connection()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            Task<NodeData> read = client.GetDataAsync("/a");
            ScriptedRequest request = (await connection.ReadRequestAnsweringPingsAsync(Timeouts.Token()))!;

            await connection.SendRawAsync(Scripted.Frame(Scripted.Header(request.Xid + 7, 5, -101)));

            var lost = await Assert.ThrowsAsync<ConnectionLossException>(() => read.WaitAsync(Timeouts.Event));
            Assert.Contains("out of order", lost.InnerException!.Message);
        }
    }

    [Fact]
    public async Task A_reply_that_never_comes_is_detected_by_the_read_deadline()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        // The read deadline runs from the last frame received: the handshake answer.
        var started = new System.Diagnostics.Stopwatch();
        var (client, connection) = await Scripted.ConnectAsync(server, timeoutMs: 900, sinceHandshake: started);
        await using (client)
        {
            var disconnected = new TaskCompletionSource<ZooKeeperStateChange>();
            client.StateChanged += c =>
            {
                if (c.Current == ZooKeeperState.Disconnected)
                {
                    disconnected.TrySetResult(c);
                }
            };
            Task<NodeData> read = client.GetDataAsync("/a");

            // The server reads the request (and the pings) but never answers anything.
            _ = Task.Run(async () =>
            {
                while (await connection.ReadRequestAsync() is not null)
                {
                }
            });

            var lost = await Assert.ThrowsAsync<ConnectionLossException>(() => read.WaitAsync(Timeouts.Event));
            started.Stop();
            Assert.Contains("nothing heard", lost.InnerException!.Message);
            // Read timeout = 2/3 of 900 ms; allow scheduling slack but far less than the event timeout.
            Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(5));
            await disconnected.Task.WaitAsync(Timeouts.Event);
        }
    }

    [Fact]
    public async Task A_server_that_closes_without_answering_the_handshake_is_retried()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var client = new ZooKeeperClient(new ZooKeeperClientOptions { ConnectionString = server.ConnectionString, SessionTimeout = TimeSpan.FromSeconds(4), CloseTimeout = TimeSpan.FromMilliseconds(100) });
        await using (client)
        {
            ScriptedConnection refused = await server.AcceptAsync(Timeouts.Token());
            await refused.ReadConnectRequestAsync(Timeouts.Token());
            refused.Close();

            ScriptedConnection second = await server.AcceptAsync(Timeouts.Token());
            ScriptedConnectRequest retry = await second.ReadConnectRequestAsync(Timeouts.Token());
            await second.SendConnectResponseAsync(4000, sessionId: 0x77);
            await client.WaitForConnectedAsync(Timeouts.Token());

            Assert.Equal(0, retry.SessionId);
            Assert.Equal(0x77, client.SessionId);
        }
    }

    [Fact]
    public async Task An_expired_session_answer_is_terminal_and_fails_every_call_with_SessionExpired()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        var (client, connection) = await Scripted.ConnectAsync(server);
        await using (client)
        {
            connection.Close();
            ScriptedConnection reattach = await server.AcceptAsync(Timeouts.Token());
            ScriptedConnectRequest request = await reattach.ReadConnectRequestAsync(Timeouts.Token());
            Task<NodeData> queued = client.GetDataAsync("/queued-while-disconnected");
            await reattach.SendConnectResponseAsync(timeoutMs: 0, sessionId: 0);

            await client.WaitForStateAsync(s => s == ZooKeeperState.Expired, Timeouts.Token());
            Assert.Equal(0x42, request.SessionId);
            await Assert.ThrowsAsync<SessionExpiredException>(() => queued.WaitAsync(Timeouts.Event));
            await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetDataAsync("/after"));
            await Assert.ThrowsAsync<SessionExpiredException>(() => client.WaitForConnectedAsync());
            int attempts = server.AcceptedConnections;
            Assert.Equal(2, attempts);
        }
    }
}
